"""Customer search: every kind of query, on both databases, with the pair index kept current."""

from __future__ import annotations

import pytest

from gasdesk.services.customers import CustomerService
from gasdesk.services.orders import OrderService
from tests.helpers import active_resident, make_team, resident


@pytest.fixture
def people(app):
    team = make_team(app)
    zhang = resident(app, team.clerk, "张伟", address="贵阳市南明区花果园R1区3栋2单元1502")
    zhangm = resident(app, team.clerk, "张伟明", address="贵阳市云岩区中华北路108号")
    li = resident(app, team.clerk, "李娜", address="贵阳市观山湖区金阳南路6号花果巷")
    return app, team, zhang, zhangm, li


def names(app, actor, q, **kw):
    return [h.customer.name for h in CustomerService(app, actor).search(q, **kw).hits]


def test_every_kind_of_query(people):
    app, team, zhang, zhangm, li = people
    m = team.manager
    assert names(app, m, "张伟") == ["张伟", "张伟明"]          # 2-character name
    assert names(app, m, "张伟明") == ["张伟明"]                 # 3-character name
    assert names(app, m, "伟明") == ["张伟明"]                   # inside a name
    assert names(app, m, "张") == ["张伟", "张伟明"]             # one character: name prefix
    assert names(app, m, "zw") == ["张伟", "张伟明"]             # pinyin initials
    assert names(app, m, "zwm") == ["张伟明"]
    assert names(app, m, "花果") == ["张伟", "李娜"]             # 2-character address fragment
    assert names(app, m, "花果园R1") == ["张伟"]                 # longer fragment, mixed, any case
    assert names(app, m, "花果园r1") == ["张伟"]
    assert names(app, m, "中华北路108") == ["张伟明"]
    assert names(app, m, zhang.phone) == ["张伟"]               # phone
    assert len(names(app, m, zhang.phone[:7])) == 3             # phone prefix (the three are consecutive)
    assert names(app, m, zhang.id_number) == ["张伟"]           # full ID number
    assert names(app, m, zhang.id_number.lower()) == ["张伟"]
    assert names(app, m, zhang.number) == ["张伟"]               # customer number
    assert names(app, m, "不存在的名字") == []


def test_account_number_and_renamed_customer(people):
    app, team, zhang, *_ = people
    c, o = active_resident(app, team, "王芳")
    assert names(app, team.manager, o.account_number) == ["王芳"]
    orders = OrderService(app, team.clerk)
    d = orders.open("detail_change", c.id, documents=["id_copy"])
    d = orders.perform(d.id, "approve", {"new_name": "王芳芳"})
    orders.perform(d.id, "details_changed")
    assert names(app, team.manager, "芳芳") == ["王芳芳"]
    assert names(app, team.manager, "wff") == ["王芳芳"]


def test_paging_loads_lazily(app):
    team = make_team(app)
    for i in range(7):
        resident(app, team.clerk, f"陈{'一二三四五六七'[i]}", address=f"贵阳市花溪区大学城{i}号")
    service = CustomerService(app, team.clerk)
    first = service.search("大学城", limit=5)
    second = service.search("大学城", limit=5, offset=5)
    assert len(first.hits) == 5 and first.has_more
    assert len(second.hits) == 2 and not second.has_more
    assert {h.customer.id for h in first.hits}.isdisjoint({h.customer.id for h in second.hits})
    assert service.search("陈", limit=5).has_more


def test_quotes_and_operators_are_just_text(people):
    app, team, *_ = people
    for q in ['"张伟', "张伟 OR 李娜", "花果*", "NEAR(张伟)", "-张伟", "张'伟", "%", "_"]:
        CustomerService(app, team.manager).search(q)  # never an FTS or SQL syntax error


def test_a_customer_with_two_open_accounts_is_one_hit_showing_the_first(app):
    from datetime import datetime

    from gasdesk.models import Account

    team = make_team(app)
    c, o = active_resident(app, team, "周二户")
    with app.unit_of_work() as s:  # a second premises of the same customer (rare, but allowed)
        s.add(Account(number="A999999901", customer_id=c.id, status="active", address="另一处",
                      opened_at=datetime(2026, 1, 1)))
    for i in range(3):
        resident(app, team.clerk, f"周{'甲乙丙'[i]}户")
    service = CustomerService(app, team.clerk)
    hits = service.search("zeh").hits
    assert [(h.customer.name, h.account_number) for h in hits] == [("周二户", o.account_number)]
    first, second = service.search("周", limit=2), service.search("周", limit=2, offset=2)
    pages = [h.customer.id for h in first.hits + second.hits]
    assert len(pages) == len(set(pages)) == 4 and first.has_more and not second.has_more


def test_hits_are_masked_for_a_clerk_and_full_for_a_manager(people):
    app, team, zhang, *_ = people
    clerk_hit = CustomerService(app, team.clerk).search(zhang.id_number).hits[0].customer
    manager_hit = CustomerService(app, team.manager).search(zhang.id_number).hits[0].customer
    assert clerk_hit.masked and "*" in clerk_hit.id_number and "*" in clerk_hit.phone
    assert not manager_hit.masked and manager_hit.id_number == zhang.id_number
    assert manager_hit == CustomerService(app, team.manager).get(zhang.id)


def test_digits_matching_a_phone_and_an_id_number_are_one_hit(app):
    from datetime import date

    from gasdesk.validation import make_resident_id

    team = make_team(app)
    # A mobile starting 13 and a Hebei ID number (13...) belong to the same customer.
    both = [resident(app, team.clerk, f"冀{'甲乙丙'[i]}", phone=f"1391234567{i}",
                     id_number=make_resident_id("130102", date(1990, 1, 1), 100 + i)) for i in range(3)]
    service = CustomerService(app, team.manager)
    page = service.search("13", limit=2)
    rest = service.search("13", limit=2, offset=2)
    ids = [h.customer.id for h in page.hits + rest.hits]
    assert sorted(ids) == sorted(c.id for c in both) and len(set(ids)) == 3
    assert page.has_more and not rest.has_more


def test_numbers_being_typed_page_in_index_order(app):
    team = make_team(app)
    made = [resident(app, team.clerk, f"号{i}", phone=f"1580000{i:04d}") for i in range(7)]
    service = CustomerService(app, team.manager)
    pages = [service.search("158", limit=3, offset=k) for k in (0, 3, 6)]
    assert [h.customer.phone for p in pages for h in p.hits] == [c.phone for c in made]
    assert [p.has_more for p in pages] == [True, True, False]
    landline = resident(app, team.clerk, "座机", phone="0851-86201234")
    assert [h.customer.id for h in service.search("0851-8620").hits] == [landline.id]
    assert [h.customer.id for h in service.search("08518620").hits] == [landline.id]


def test_account_prefix_pages_customers_exactly_when_one_has_many_accounts(app):
    from datetime import datetime

    from gasdesk.models import Account

    team = make_team(app)
    many, b, c = (resident(app, team.clerk, n) for n in ("多户公司", "乙户", "丙户"))
    with app.unit_of_work() as s:
        for i in range(1, 6):
            s.add(Account(number=f"A900000{i}", customer_id=many.id, status="active", address="一处",
                          opened_at=datetime(2026, 1, 1)))
        for i, who in ((6, b), (7, c)):
            s.add(Account(number=f"A900000{i}", customer_id=who.id, status="active", address="一处",
                          opened_at=datetime(2026, 1, 1)))
    service = CustomerService(app, team.manager)
    pages = [service.search("A9000", limit=1, offset=k) for k in range(3)]
    assert [[h.customer.name for h in p.hits] for p in pages] == [["多户公司"], ["乙户"], ["丙户"]]
    assert [p.has_more for p in pages] == [True, True, False]
    assert [h.customer.name for h in service.search("a9000", limit=2).hits] == ["多户公司", "乙户"]


def test_dashes_alone_find_nothing(people):
    app, team, *_ = people
    assert names(app, team.manager, "-") == [] and names(app, team.manager, "--") == []


def test_an_id_number_is_found_only_whole_or_with_one_typo(people):
    app, team, zhang, zhangm, li = people
    clerk = CustomerService(app, team.clerk)
    full = zhang.id_number
    for n in range(1, 17):  # no prefix reveals the hidden digits (17 of 18 is a whole number less a typo)
        assert [h.customer.name for h in clerk.search(full[:n]).hits if h.customer.id == zhang.id] == [], n
    hits = clerk.search(full).hits
    assert [h.customer.name for h in hits] == ["张伟"]
    shown = hits[0].customer.id_number
    assert shown.count("*") == 10 and shown[:4] == full[:4] and shown[-4:] == full[-4:]
    wrong = full[:9] + str((int(full[9]) + 1) % 10) + full[10:]  # one digit mistyped
    assert [h.customer.name for h in clerk.search(wrong).hits] == ["张伟"]
    swapped = full[:5] + full[6] + full[5] + full[7:]
    if swapped != full:
        assert [h.customer.name for h in clerk.search(swapped).hits] == ["张伟"]
    assert [h.customer.name for h in clerk.search(full[:8] + full[9:]).hits] == ["张伟"]  # one digit left out
    two_wrong = wrong[:3] + str((int(wrong[3]) + 1) % 10) + wrong[4:]
    assert clerk.search(two_wrong).hits == []


def test_spaces_and_full_width_are_ignored(people):
    app, team, zhang, zhangm, li = people
    m = team.manager
    assert names(app, m, "张 伟") == ["张伟", "张伟明"]
    assert names(app, m, "张\u3000伟明") == ["张伟明"]               # an ideographic space
    assert names(app, m, "ＺＷ") == ["张伟", "张伟明"]                # full-width pinyin initials
    assert names(app, m, "花果园Ｒ１") == ["张伟"]                    # full-width letters and digits
    spaced = f"{zhang.phone[:3]} {zhang.phone[3:7]} {zhang.phone[7:]}"
    assert names(app, m, spaced) == ["张伟"]
    full = zhang.phone.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})
    assert names(app, m, full) == ["张伟"]


def test_count_says_how_many_up_to_a_cap(people):
    app, team, *_ = people
    service = CustomerService(app, team.manager)
    assert service.count("张 伟") == (2, True)
    assert service.count("139", cap=2) == (2, False)
    assert service.count("不存在") == (0, True)
    assert service.count("  ") == (0, True)


def test_four_characters_or_more_find_exactly_the_texts_that_hold_them(app):
    """On PostgreSQL four characters and more are answered from the runs of four, below from the pairs;
    both find a fragment inside the name or inside the address, never one made of the name's end and
    the address's start, and follow a rename."""
    from gasdesk.services.customers import CustomerService as Customers

    team = make_team(app)
    a, _ = active_resident(app, team, "欧阳晓明", address="安顺市西秀区塔山东路18号锦绣花园3栋")
    resident(app, team.clerk, "王塔山", address="安顺市普定县东路村")
    resident(app, team.clerk, "陈晓", address="安顺市西秀区塔山西路2号")
    m = team.manager
    assert names(app, m, "塔山东路") == ["欧阳晓明"]
    assert names(app, m, "塔山东路18号锦绣") == ["欧阳晓明"]
    assert names(app, m, "欧阳晓明") == ["欧阳晓明"]
    assert names(app, m, "阳晓明") == ["欧阳晓明"]
    assert sorted(names(app, m, "西秀区塔山")) == sorted(["欧阳晓明", "陈晓"])   # order: see search_index
    assert sorted(names(app, m, "塔山")) == sorted(["欧阳晓明", "王塔山", "陈晓"])
    assert names(app, m, "塔山东路村") == []            # not in one text
    assert names(app, m, "晓明安顺") == []              # the name's end and the address's start
    assert names(app, m, "3栋3栋") == []
    assert Customers(app, m).count("西秀区塔山") == (2, True)
    orders = OrderService(app, team.clerk)
    d = orders.open("detail_change", a.id, documents=["id_copy"])
    d = orders.perform(d.id, "approve", {"new_name": "欧阳晓东"})
    orders.perform(d.id, "details_changed")
    assert names(app, m, "欧阳晓明") == [] and names(app, m, "欧阳晓东") == ["欧阳晓东"]


def test_any_fragment_finds_exactly_the_customers_whose_name_or_address_holds_it(app):
    """Thirty customers written from a few characters, so fragments recur in many texts and across the
    name/address boundary; every fragment of two to seven characters (taken from the texts, and made
    up) finds exactly the customers whose name or address holds it, on both databases."""
    import random

    rnd = random.Random(20261130)
    team = make_team(app)
    people = {}
    for _ in range(30):
        name = "".join(rnd.choice("王李东南") for _ in range(rnd.choice((2, 3, 4))))
        address = "安顺" + "".join(rnd.choice("东西南路号栋花园") for _ in range(rnd.randint(6, 14)))
        c = resident(app, team.clerk, name, address=address)
        people[c.id] = (name, address)
    queries = {"".join(rnd.choice("王李东西南路号栋花园") for _ in range(rnd.randint(2, 7))) for _ in range(150)}
    for name, address in people.values():
        for text in (name, address, name + address):
            for size in range(2, 8):
                if len(text) >= size:
                    start = rnd.randrange(len(text) - size + 1)
                    queries.add(text[start:start + size])
    service = CustomerService(app, team.manager)
    wrong = {}
    for q in sorted(queries):
        expected = sorted(i for i, (n, a) in people.items() if q in n or q in a)
        found = sorted(h.customer.id for h in service.search(q, limit=100).hits)
        if found != expected:
            wrong[q] = (found, expected)
    assert len(queries) > 300 and wrong == {}


def test_pages_of_a_fragment_held_twice_by_each_customer_repeat_and_miss_no_one(app):
    """张伟 in the name and in the address (PostgreSQL: two keys each): page by page, every customer once."""
    team = make_team(app)
    made = {}
    for i in range(9):
        c = resident(app, team.clerk, "张伟" + "明亮光"[i % 3], address=f"安顺市张伟路{i}号")
        made[c.id] = c.name + c.address
    service = CustomerService(app, team.manager)
    for q in ("张伟", "张伟路", "张伟明", "安顺市张伟路"):
        seen, offset = [], 0
        while True:
            page = service.search(q, limit=2, offset=offset)
            seen += [h.customer.id for h in page.hits]
            offset += 2
            if not page.has_more:
                break
        expected = {i for i, text in made.items() if q in text}
        assert len(seen) == len(set(seen)) and set(seen) == expected and len(expected) >= 3, q
