from tests.helpers import active_resident, make_team


def test_activation_happy_path(app):
    team = make_team(app)
    c, o = active_resident(app, team)
    assert o.status == "archived"
