"""Customers: creation and correction with validation, the customer page, and search."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, and_, bindparam, func, select, union_all
from sqlalchemy.orm import Session

from gasdesk.models import Account, Customer, Meter, search_index
from gasdesk.permissions import Permission
from gasdesk.services import audit, numbering
from gasdesk.services import settings as settings_store
from gasdesk.services.context import Service, must_get
from gasdesk.services.errors import Conflict, Refused, refusing
from gasdesk.validation import (
    ValidationError,
    check_credit_code,
    check_meter_reading,
    check_phone,
    check_required,
    check_resident_id,
    check_text,
    clean_text,
    mask_id,
    mask_phone,
)
from gasdesk.vocab import (
    AccountStatus,
    CustomerCategory,
    CustomerStatus,
    District,
    GasUseType,
    IdDocType,
)


@dataclass
class CustomerInput:
    """What the clerk types for a customer. `check()` returns a normalised copy or raises."""

    category: str = CustomerCategory.RESIDENTIAL
    name: str = ""
    id_type: str = IdDocType.RESIDENT_ID
    id_number: str = ""
    phone: str = ""
    address: str = ""
    district: str = District.URBAN
    gas_use_type: str = ""
    contact_person: str = ""
    phone2: str = ""
    yearly_allowance: Decimal | str | None = None
    household_size: int | None = None

    def checked(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Every field checked on its own: (normalised values, field -> refusal), in the form's order,
        so a form can show all that is wrong at once."""
        values: dict[str, Any] = {}
        problems: dict[str, str] = {}

        def run(field: str, check: Callable[[], Any]) -> None:
            try:
                values[field] = check()
            except ValidationError as exc:
                problems[exc.field or field] = exc.message
            except ValueError:
                problems[field] = "请选择有效的选项"

        def gas_use() -> GasUseType:
            category = values.get("category")
            use = GasUseType(self.gas_use_type or (
                GasUseType.RESIDENTIAL if category is CustomerCategory.RESIDENTIAL else GasUseType.COMMERCIAL))
            if category is not None and (use is GasUseType.RESIDENTIAL) != (category is CustomerCategory.RESIDENTIAL):
                raise ValidationError("用气性质与客户类别不一致", field="gas_use_type")
            return use

        def household() -> int | None:
            if self.household_size is not None and not (0 < int(self.household_size) < 100):
                raise ValidationError("家庭人口应为1至99之间的整数", field="household_size")
            return self.household_size

        run("category", lambda: CustomerCategory(self.category))
        run("name", lambda: check_text(self.name, "户名", 100, field="name", required=True))
        run("id_type", lambda: IdDocType(self.id_type))
        if "id_type" in values:
            run("id_number", lambda: check_id_number(values["id_type"], self.id_number))
        run("phone", lambda: check_phone(self.phone, field="phone"))
        run("phone2", lambda: check_phone(self.phone2, field="phone2") if self.phone2.strip() else "")
        run("contact_person", lambda: check_text(self.contact_person, "联系人", 40, field="contact_person"))
        run("address", lambda: check_text(self.address, "用气地址", 200, field="address", required=True))
        run("district", lambda: District(self.district))
        run("gas_use_type", gas_use)
        run("yearly_allowance", lambda: check_meter_reading(self.yearly_allowance, field="yearly_allowance")
            if self.yearly_allowance not in (None, "") else None)
        run("household_size", household)
        return values, problems

    def problems(self) -> dict[str, str]:
        return self.checked()[1]

    def check(self) -> CustomerInput:
        values, problems = self.checked()
        if problems:
            field, message = next(iter(problems.items()))
            raise Refused(message, field=None if message == "请选择有效的选项" and field in _CHOICES else field)
        return replace(self, **values)


_CHOICES = ("category", "id_type", "district", "gas_use_type")


def check_id_number(id_type: IdDocType | str, text: str) -> str:
    id_type = IdDocType(id_type)
    if id_type is IdDocType.RESIDENT_ID:
        return check_resident_id(text, field="id_number")
    if id_type is IdDocType.CREDIT_CODE:
        return check_credit_code(text, field="id_number")
    value = check_required(text, "证件号码", field="id_number").upper()
    if not re.fullmatch(r"[A-Z0-9\-]{5,30}", value):
        raise ValidationError("证件号码只能包含字母、数字和横线，5至30位", field="id_number")
    return value


def initials(name: str) -> str:
    """Pinyin initials of a name: 张伟 -> zw (letters and digits kept as they are)."""
    from pypinyin import Style, lazy_pinyin  # its dictionary takes ~0.3 s to load: not on the way to sign-in

    return "".join(p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default") if p).lower()


CUSTOMER_FIELDS = ["number", "category", "name", "id_type", "id_number", "contact_person", "phone", "phone2",
                   "address", "district", "gas_use_type", "yearly_allowance", "household_size"]


@dataclass(frozen=True)
class CustomerView:
    id: int
    number: str
    category: CustomerCategory
    status: CustomerStatus
    name: str
    id_type: IdDocType
    id_number: str
    contact_person: str
    phone: str
    phone2: str
    address: str
    district: District
    gas_use_type: GasUseType
    yearly_allowance: Decimal
    household_size: int | None
    created_at: datetime
    closed_at: datetime | None
    predecessor_id: int | None
    version: int
    masked: bool = False

    def masked_copy(self) -> CustomerView:
        return replace(self, id_number=mask_id(self.id_number), phone=mask_phone(self.phone),
                       phone2=mask_phone(self.phone2) if self.phone2 else "", masked=True)


def customer_view(c: Customer) -> CustomerView:
    return CustomerView(
        id=c.id, number=c.number, category=CustomerCategory(c.category), status=CustomerStatus(c.status),
        name=c.name, id_type=IdDocType(c.id_type), id_number=c.id_number, contact_person=c.contact_person,
        phone=c.phone, phone2=c.phone2, address=c.address, district=District(c.district),
        gas_use_type=GasUseType(c.gas_use_type), yearly_allowance=c.yearly_allowance,
        household_size=c.household_size, created_at=c.created_at, closed_at=c.closed_at,
        predecessor_id=c.predecessor_id, version=c.version,
    )


@dataclass(frozen=True)
class AccountView:
    id: int
    number: str
    status: AccountStatus
    balance: Decimal
    address: str
    opened_at: datetime
    meter_number: str | None = None
    meter_model: str | None = None
    meter_rating: str | None = None
    last_reading: Decimal | None = None


def account_views(session: Session, customer_id: int) -> list[AccountView]:
    rows = session.execute(
        select(Account, Meter).outerjoin(Meter, and_(Meter.account_id == Account.id, Meter.status == "in_service"))
        .where(Account.customer_id == customer_id).order_by(Account.id)
    ).all()
    return [
        AccountView(id=a.id, number=a.number, status=AccountStatus(a.status), balance=a.balance, address=a.address,
                    opened_at=a.opened_at, meter_number=m.number if m else None, meter_model=m.model if m else None,
                    meter_rating=m.rating if m else None, last_reading=m.last_reading if m else None)
        for a, m in rows
    ]


def new_customer(session: Session, data: CustomerInput, at: datetime, *, predecessor_id: int | None = None) -> Customer:
    """Insert a checked customer (the caller audits). Allowance defaults from the settings."""
    allowance = data.yearly_allowance
    if allowance in (None, ""):
        key = f"defaults.yearly_allowance.{data.category}"
        allowance = Decimal(str(settings_store.get(session, key) or "0"))
    customer = Customer(
        number=numbering.customer_number(session), category=str(data.category), status=CustomerStatus.ACTIVE,
        name=data.name, name_initials=initials(data.name), id_type=str(data.id_type), id_number=data.id_number,
        contact_person=data.contact_person, phone=data.phone, phone2=data.phone2, address=data.address,
        district=str(data.district), gas_use_type=str(data.gas_use_type), yearly_allowance=Decimal(allowance),
        household_size=data.household_size, created_at=at, predecessor_id=predecessor_id,
    )
    session.add(customer)
    session.flush()
    return customer


@dataclass(frozen=True)
class SearchHit:
    customer: CustomerView
    account_number: str | None
    account_status: AccountStatus | None


@dataclass
class SearchPage:
    hits: list[SearchHit] = field(default_factory=list)
    has_more: bool = False
    # Why nothing was found, when the query was not searched as typed (a partial phone number).
    note: str = ""


PHONE_WHOLE_NOTE = "电话号码请输入完整号码（手机11位，座机连区号）后查询"


_customers = Customer.__table__
_accounts = Account.__table__
_VIEW_COLUMNS = tuple(f.name for f in fields(CustomerView) if f.name != "masked")
# The hit list's rows as plain columns: building ORM objects for 50 hits took longer than finding them.
SEARCH_HIT_ROWS = (
    select(*[_customers.c[name] for name in _VIEW_COLUMNS],
           _accounts.c.number.label("account_number"), _accounts.c.status.label("account_status"))
    .select_from(_customers.outerjoin(_accounts, and_(_accounts.c.customer_id == _customers.c.id,
                                                       _accounts.c.status != AccountStatus.CLOSED)))
    .where(_customers.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_customers.c.id, _accounts.c.id)
)
# Column value -> enum member, for the enum columns of a view (a dict lookup is ~5x an Enum call).
_ENUM_COLUMNS: dict[str, dict[str, Any]] = {
    name: {member.value: member for member in enum}
    for name, enum in (("category", CustomerCategory), ("status", CustomerStatus), ("id_type", IdDocType),
                       ("district", District), ("gas_use_type", GasUseType))
}
_ACCOUNT_STATUS = {member.value: member for member in AccountStatus}


def search_hit(row: Any, mask: bool) -> SearchHit:
    *view_values, account_number, account_status = row
    values = dict(zip(_VIEW_COLUMNS, view_values, strict=True))
    for name, members in _ENUM_COLUMNS.items():
        values[name] = members[values[name]]
    if mask:
        values.update(id_number=mask_id(values["id_number"]), phone=mask_phone(values["phone"]),
                      phone2=mask_phone(values["phone2"]) if values["phone2"] else "", masked=True)
    return SearchHit(CustomerView(**values), account_number,
                     _ACCOUNT_STATUS[account_status] if account_status else None)


class CustomerService(Service):
    def _shown(self, view: CustomerView) -> CustomerView:
        return view if self.actor.can(Permission.VIEW_FULL_ID) else view.masked_copy()

    def create(self, data: CustomerInput) -> CustomerView:
        self.actor.require(Permission.EDIT_CUSTOMER)
        checked = data.check()
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            customer = new_customer(s, checked, now)
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="customer", entity_id=customer.id,
                         action="create", changes=audit.snapshot(customer, CUSTOMER_FIELDS))
            return customer_view(customer)

    def update_contact(self, customer_id: int, expected_version: int, *, phone: str | None = None,
                       phone2: str | None = None, contact_person: str | None = None) -> CustomerView:
        """Correct contact details (phones, contact person) outside a flow; optimistic locking."""
        self.actor.require(Permission.EDIT_CUSTOMER)
        now = self.app.clock.now()
        with refusing():
            new_phone = check_phone(phone, field="phone") if phone is not None else None
            new_phone2 = check_phone(phone2, field="phone2") if phone2 else ("" if phone2 is not None else None)
            new_contact = (check_text(contact_person, "联系人", 40, field="contact_person")
                           if contact_person is not None else None)
        with self.app.unit_of_work() as s:
            customer = must_get(s, Customer, customer_id, "客户不存在")
            if customer.version != expected_version:
                raise Conflict("该客户资料已被其他柜台修改，请刷新后重新办理，您的修改未保存")
            if new_phone is not None:
                customer.phone = new_phone
            if new_phone2 is not None:
                customer.phone2 = new_phone2
            if new_contact is not None:
                customer.contact_person = new_contact
            changes = audit.changes_of(customer)
            if changes:
                s.flush()
                audit.append(s, at=now, staff_id=self.actor.staff_id, entity="customer", entity_id=customer.id,
                             action="update_contact", changes=changes)
            return customer_view(customer)

    def get(self, customer_id: int, *, reveal: bool = False) -> CustomerView:
        with self.app.reading() as s:
            c = must_get(s, Customer, customer_id, "客户不存在")
            view = customer_view(c)
        if reveal:
            return self.reveal(customer_id)
        return self._shown(view)

    def reveal(self, customer_id: int) -> CustomerView:
        """The full ID and phone numbers, for a permitted role; the viewing is audited."""
        self.actor.require(Permission.VIEW_FULL_ID)
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            c = must_get(s, Customer, customer_id, "客户不存在")
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="customer", entity_id=c.id,
                         action="view_personal_data")
            return customer_view(c)

    def accounts(self, customer_id: int) -> list[AccountView]:
        with self.app.reading() as s:
            return account_views(s, customer_id)

    def search(self, query: str, *, limit: int = 50, offset: int = 0) -> SearchPage:
        """Search as you type over number, name, pinyin initials, phone, ID, account number and address.

        One hit per customer (with its first open account), in the order of the index that answered."""
        q = search_text(query)
        if not q.strip("-"):  # nothing, or only the dashes of a number not yet typed
            return SearchPage()
        mask = not self.actor.can(Permission.VIEW_FULL_ID)
        with self.app.reading() as s:
            ids = self._matching_ids(s, q, limit + 1, offset, whole_phone=mask)
            page = ids[:limit]
            rows = s.execute(SEARCH_HIT_ROWS, {"ids": page}).all() if page else []
        first: dict[int, SearchHit] = {}
        for row in rows:  # ordered by customer, then account: the first row is the first open account
            if row.id not in first:
                first[row.id] = search_hit(row, mask)
        note = PHONE_WHOLE_NOTE if mask and not page and re.fullmatch(r"[\d\-]+", q) else ""
        return SearchPage(hits=[first[i] for i in page if i in first], has_more=len(ids) > limit, note=note)

    def count(self, query: str, *, cap: int = 1000) -> tuple[int, bool]:
        """How many customers a search finds: (n, True), or (cap, False) when there are more than `cap`
        (a long list is counted only so far: the clerk types more instead)."""
        q = search_text(query)
        if not q.strip("-"):
            return 0, True
        with self.app.reading() as s:
            n = len(self._matching_ids(s, q, cap + 1, 0))
        return (n, True) if n <= cap else (cap, False)

    @staticmethod
    def _matching_ids(s: Session, q: str, limit: int, offset: int, *, whole_phone: bool = False) -> list[int]:
        """One page of matching customer ids, each kind of query answered by its own index, in the
        order that index gives (so the plan never depends on table statistics; names and addresses
        see search_index). `whole_phone`: a phone number is found only whole (for a role that sees
        phones masked)."""
        if not is_structured(q):
            indexed = search_index.find(s, q, limit, offset)
            if indexed is not None:
                return indexed
        if re.fullmatch(r"[Aa]\d+", q):
            return _account_page(s, q.upper(), limit, offset)
        stmt, params = structured_query(q, limit, offset, whole_phone=whole_phone)
        found = list(s.execute(stmt, params).scalars())
        candidates = id_typo_candidates(q)
        if not found and candidates:
            found = list(s.execute(STRUCTURED_QUERIES["id_numbers"], {
                "offset": offset, "limit": limit, "id_numbers": candidates}).scalars())
        return found


def search_text(query: str) -> str:
    """What a typed query searches for: full-width letters and digits as half-width (ＺＷ, １３９), and no
    spaces at all ("张 伟" finds 张伟, "139 1234" a phone), as names and numbers are stored."""
    return "".join(unicodedata.normalize("NFKC", clean_text(query)).split())[:100]


def _range(column: Any, name: str) -> Any:
    """An index-friendly prefix match on bound values `<name>_lo` / `<name>_hi` (LIKE 'x%' does not
    use an index on SQLite)."""
    return and_(column >= bindparam(f"{name}_lo"), column < bindparam(f"{name}_hi"))


def _prefix_params(name: str, text: str) -> dict[str, str]:
    return {f"{name}_lo": text, f"{name}_hi": text + "\uffff"}


def is_structured(q: str) -> bool:
    """Numbers, account/customer numbers and pinyin initials: answered by ordinary indexes."""
    return bool(re.fullmatch(r"[AaCc]\d+|[\d\-xX]+|[A-Za-z]+", q))


def _first_by(column: Any, id_column: Any, name: str, window: str = "window") -> Any:
    """The first `window` rows whose `column` starts with the bound prefix `name`, in (column, id)
    order: an index range read that stops early, however many rows match ('13': most mobiles)."""
    return (select(id_column.label("id"), column.label("key")).where(_range(column, name))
            .order_by(column, id_column).limit(bindparam(window, type_=Integer)).subquery())


def _merged(branches: list[Any]) -> Any:
    """Ids of several ordered branches merged by key; a customer in two branches is one hit, at its
    first key. Each branch holds at least a window's distinct customers, so the merge is exact."""
    rows = union_all(*(select(b.c.id, b.c.key) for b in branches)).subquery()
    return select(rows.c.id).group_by(rows.c.id).order_by(func.min(rows.c.key), rows.c.id)


def _page(stmt: Any) -> Any:
    return stmt.offset(bindparam("offset", type_=Integer)).limit(bindparam("limit", type_=Integer))


# Built once: constructing these selects cost more than running them.
STRUCTURED_QUERIES: dict[str, Any] = {
    # Account rows in number order, a window at a time (see _account_page: one hit per customer).
    "account": _first_by(Account.number, Account.customer_id, "account").select(),
    "customer_number": _page(select(Customer.id).where(_range(Customer.number, "number"))
                             .order_by(Customer.number)),
    "id_number": _page(select(Customer.id).where(Customer.id_number == bindparam("id_number"))
                       .order_by(Customer.id)),
    # The ID numbers one typo away from what was typed (see id_typo_candidates).
    "id_numbers": _page(select(Customer.id).where(Customer.id_number.in_(bindparam("id_numbers", expanding=True)))
                        .order_by(Customer.id)),
    # Digits are a phone number being typed. An ID number is found only whole (or whole but for one
    # typo): a prefix search would let anyone read a masked ID digit by digit.
    "digits": _page(select(Customer.id).where(_range(Customer.phone, "phone"))
                    .order_by(Customer.phone, Customer.id)),
    # A whole phone number (as typed, and a landline in its other spelling): for a role that sees phones
    # masked, whose prefix search would reveal the masked middle digits one at a time.
    "phone_whole": _page(select(Customer.id).where(Customer.phone.in_(bindparam("phones", expanding=True)))
                         .order_by(Customer.id)),
    # A landline typed with or without its dash: both spellings.
    "digits_landline": _page(_merged([_first_by(Customer.phone, Customer.id, "phone"),
                                      _first_by(Customer.phone, Customer.id, "phone_alt")])),
    "initials": _page(select(Customer.id).where(_range(Customer.name_initials, "initials"))
                      .order_by(Customer.name_initials, Customer.id)),
    # A single character: names starting with it (the pair index needs two).
    "name_prefix": _page(select(Customer.id).where(_range(Customer.name, "name"))
                         .order_by(Customer.name, Customer.id)),
}


def landline_with_dash(digits: str) -> str | None:
    """'08518620' -> '0851-8620', as landlines are stored (010 and 02x have 3-digit area codes)."""
    if not digits.startswith("0") or len(digits) < 4:
        return None
    area = digits[:3] if digits[1] in "12" else digits[:4]
    return f"{area}-{digits[len(area):]}" if len(digits) > len(area) else None


def _account_page(s: Session, prefix: str, limit: int, offset: int) -> list[int]:
    """Customers by account number prefix, each at its lowest matching number. Account rows are read in
    number order a window at a time, the window growing until it holds the page's customers (a
    customer with several accounts takes several rows) or the matches run out."""
    wanted = offset + limit
    window = 2 * wanted
    while True:
        rows = s.execute(STRUCTURED_QUERIES["account"],
                         {**_prefix_params("account", prefix), "window": window}).all()
        customers = list(dict.fromkeys(customer_id for customer_id, _number in rows))
        if len(customers) >= wanted or len(rows) < window:
            return customers[offset:wanted]
        window *= 4


def structured_query(q: str, limit: int, offset: int, *, whole_phone: bool = False) -> tuple[Any, dict[str, Any]]:
    """The statement and parameters for numbers (account numbers aside: _account_page), initials and
    single characters: one page of customer ids, ordered along the index used; no branch reads further
    than the page needs. With `whole_phone`, digits find a phone only when they are the whole number
    (a mobile's 11 digits, a landline with its area code, dash or not): a role that sees 138****5678
    cannot learn the hidden digits by typing prefixes."""
    upper = q.upper()
    window = {"offset": offset, "limit": limit, "window": offset + limit}
    if re.fullmatch(r"C\d+", upper):
        return STRUCTURED_QUERIES["customer_number"], {**window, **_prefix_params("number", upper)}
    if re.fullmatch(r"\d{17}[\dX]", upper):
        return STRUCTURED_QUERIES["id_number"], {**window, "id_number": upper}
    if re.fullmatch(r"[\d\-]+", q):
        digits = q.replace("-", "")
        other = digits if digits != q else landline_with_dash(q)
        if whole_phone:
            return STRUCTURED_QUERIES["phone_whole"], {**window, "phones": sorted({q, other or q})}
        params = {**window, **_prefix_params("phone", q)}
        if other is None:
            return STRUCTURED_QUERIES["digits"], params
        return STRUCTURED_QUERIES["digits_landline"], {**params, **_prefix_params("phone_alt", other)}
    if re.fullmatch(r"[A-Za-z]+", q):
        return STRUCTURED_QUERIES["initials"], {**window, **_prefix_params("initials", q.lower())}
    return STRUCTURED_QUERIES["name_prefix"], {**window, **_prefix_params("name", q)}


_ID_CHARS = "0123456789X"


def id_typo_candidates(q: str) -> list[str]:
    """The valid resident ID numbers one typo away from `q` (a wrong, missing, extra or swapped
    character), when `q` is nearly a whole ID number (17 to 19 characters); else none. Only numbers
    whose check digit holds are kept: the stored ones all pass it."""
    text = q.upper().replace(" ", "")
    if not re.fullmatch(r"[\dX]{17,19}", text):
        return []
    near: set[str] = set()
    if len(text) == 18:
        for i in range(18):
            near.update(text[:i] + c + text[i + 1:] for c in _ID_CHARS)
        near.update(text[:i] + text[i + 1] + text[i] + text[i + 2:] for i in range(17))
    elif len(text) == 17:
        near.update(text[:i] + c + text[i:] for i in range(18) for c in _ID_CHARS)
    else:
        near.update(text[:i] + text[i + 1:] for i in range(19))
    valid = []
    for candidate in sorted(near):
        try:
            valid.append(check_resident_id(candidate))
        except ValidationError:
            continue
    return valid


def input_from_view(v: CustomerView) -> CustomerInput:
    data = {f.name: getattr(v, f.name) for f in fields(CustomerInput) if hasattr(v, f.name)}
    return CustomerInput(**data)
