"""the installation's 竣工验收 step is 'completion_check' (its old code 'acceptance' was also a form's);
the complaint's 转办 action is 'refer' (its old code 'transfer' was also a flow's)

Create Date: 2026-11-29 21:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"

# A data migration names the step it renames: it runs once, on data written by an older definition.
KIND, OLD, NEW = "installation", "acceptance", "completion_check"


def _rename(old: str, new: str) -> None:
    params = {"kind": KIND, "old": old, "new": new}
    op.execute(sa.text("UPDATE service_order SET step = :new WHERE kind = :kind AND step = :old").bindparams(**params))
    for column in ("from_step", "to_step"):
        op.execute(sa.text(
            f"UPDATE order_step SET {column} = :new WHERE {column} = :old "
            "AND order_id IN (SELECT id FROM service_order WHERE kind = :kind)").bindparams(**params))
    op.execute(sa.text(
        "UPDATE deadline SET step = :new WHERE step = :old "
        "AND order_id IN (SELECT id FROM service_order WHERE kind = :kind)").bindparams(**params))


COMPLAINT, OLD_ACTION, NEW_ACTION = "complaint", "transfer", "refer"


def _rename_action(old: str, new: str) -> None:
    op.execute(sa.text(
        "UPDATE order_step SET action = :new WHERE action = :old "
        "AND order_id IN (SELECT id FROM service_order WHERE kind = :kind)").bindparams(
            kind=COMPLAINT, old=old, new=new))


def upgrade() -> None:
    _rename(OLD, NEW)
    _rename_action(OLD_ACTION, NEW_ACTION)


def downgrade() -> None:
    _rename(NEW, OLD)
    _rename_action(NEW_ACTION, OLD_ACTION)
