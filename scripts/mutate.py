"""Mutation run over the money code: does the test suite notice when the money code is wrong?

Each mutant changes one thing in one function of the money code (payments, billing, settlement and
fee rules): a comparison flipped, + and - swapped, a minus sign dropped, max and min swapped, `and`
and `or` swapped, an update of an attribute dropped (`account.balance = ...` not done), a small
integer moved by one, a wrong tier or direction (an attribute read as its sibling: price1 as price2,
a refund as a collection, cash_effect as balance_effect, a period's start as its end, REFUND as
ARREARS) and a wrong account credited (old_account as new_account where a function has both).
Asserts are left alone (they state what the types guarantee).

The script imports gasdesk once; a first, unmutated run maps which tests call which target function
(kept in --coverage, made again when a test file or a target module changes). Then it forks a child
per mutant that swaps the function's code object for the mutated one (so every reference to the
function sees it) and runs only the tests that call that function, quickest first, with `-x`; a
mutant is killed when a test fails. A child that runs past 3 times its tests' unmutated time plus 30 s
is tried again with 10 times plus 120 s before it counts as a timeout (killed: it loops). Every mutant
is run; the run is niced (--nice) and takes --jobs children at once.

    python scripts/mutate.py --jobs 2 --json out.jsonl   # every mutant; prints the score and survivors
    python scripts/mutate.py --list                      # the mutants only
    python scripts/mutate.py --only "settle_account#8 (" --tests "tests/test_billing.py::test_x[sqlite]"

Run from the repository root with the project's Python. The figures go to README's testing section.
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib
import inspect
import json
import os
import shutil
import signal
import sys
import textwrap
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# module: functions (qualified names) whose mutants are run.
TARGETS: dict[str, tuple[str, ...]] = {
    "gasdesk.services.bills": (
        "status_of", "rate_on", "tier_limits", "consumption_days", "segments", "prorate", "price_lines",
        "due_window", "yearly_volumes", "price_reading", "issue_bill", "_Changes.put", "settle_account",
        "pay_exactly", "settle_moved",
    ),
    "gasdesk.services.billing": ("BillingService.pay_bills",),
    "gasdesk.services.payments": ("record", "settle", "PaymentService.prepay", "PaymentService.reverse",
                                  "PaymentService.write_off"),
    "gasdesk.services.readings": ("not_billed_after", "write_reading", "visit_bills", "final_reading"),
    "gasdesk.services.flow_context": ("OrderContext.charge", "OrderContext.bill_reading",
                                      "OrderContext.price_reading"),
    "gasdesk.flows.rules": ("Settlement.balance_after_bill", "Settlement.balance_after", "Settlement.due",
                            "checked_fee", "_preview_reading", "_preview_settle", "_preview_fee",
                            "settle_money", "read_final", "close_customer_if_done", "positive"),
    "gasdesk.flows.closure.rules": ("close_account",),
    "gasdesk.flows.transfer.rules": ("transfer_owner",),
    "gasdesk.flows.resume_supply.rules": ("resume_account", "is_suspended"),
    "gasdesk.flows.suspension.rules": ("suspend_account",),
}

# The test files that guard the money. A first, unmutated run maps which of their tests call which target
# function; a mutant then runs only the tests that call its function, quickest first, stopping at the
# first failure.
TESTS = (
    "tests/test_settlement.py",
    "tests/test_billing.py",
    "tests/test_readings.py",
    "tests/test_flows.py",
    "tests/test_bank.py",
    "tests/test_cash_report.py",
    "tests/test_audit.py",
)
# Left out: the audit trail's SIGKILL rounds (seconds each, and they check the trail, not the amounts).
DESELECT = "not killed_counters"

SWAP_COMPARE: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE, ast.LtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
    ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}
# Wrong tier, wrong direction, wrong account: an attribute read or written as its sibling (price of tier 1
# as tier 2's, a refund as a collection, the period's start as its end, a refund's kind as arrears), and a
# local name as its sibling when the function has both (the old owner's account credited for the new one).
ATTR_SIBLINGS: dict[str, str] = {
    "price1": "price2", "price2": "price3", "price3": "price2", "tier1_limit": "tier2_limit",
    "tier2_limit": "tier1_limit", "collect": "refund", "refund": "collect", "cash_effect": "balance_effect",
    "balance_effect": "cash_effect", "period_start": "period_end", "period_end": "period_start",
    "REFUND": "ARREARS", "ARREARS": "REFUND",
}
NAME_SIBLINGS: dict[str, str] = {"old_account": "new_account", "new_account": "old_account",
                                 "old_customer": "new", "new": "old_customer"}
SWAP_BINOP: dict[type[ast.operator], type[ast.operator]] = {ast.Add: ast.Sub, ast.Sub: ast.Add,
                                                           ast.Mult: ast.Div, ast.Div: ast.Mult}


@dataclass(frozen=True)
class Mutant:
    module: str
    function: str
    index: int
    line: int
    what: str

    @property
    def name(self) -> str:
        return f"{self.module}:{self.function}#{self.index} (line {self.line}: {self.what})"


class Mutator(ast.NodeTransformer):
    """Counts the mutation sites of a function (target=None) or applies site number `target`."""

    def __init__(self, target: int | None = None, local_names: frozenset[str] = frozenset()) -> None:
        self.target, self.count, self.sites = target, 0, []  # type: ignore[var-annotated]
        self.local_names = local_names

    def _site(self, node: ast.AST, what: str) -> bool:
        here = self.count
        self.count += 1
        self.sites.append((getattr(node, "lineno", 0), what))
        return here == self.target

    def visit_Assert(self, node: ast.Assert) -> ast.AST:  # noqa: N802
        return node  # an assert states what the types already guarantee (for mypy): not a money rule

    def visit_Compare(self, node: ast.Compare) -> ast.AST:  # noqa: N802
        self.generic_visit(node)
        for i, op in enumerate(node.ops):
            swapped = SWAP_COMPARE.get(type(op))
            if swapped and self._site(node, f"{type(op).__name__} -> {swapped.__name__}"):
                node.ops[i] = swapped()
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:  # noqa: N802
        self.generic_visit(node)
        swapped = SWAP_BINOP.get(type(node.op))
        if swapped and self._site(node, f"{type(node.op).__name__} -> {swapped.__name__}"):
            node.op = swapped()
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:  # noqa: N802
        self.generic_visit(node)
        if isinstance(node.op, ast.USub) and self._site(node, "minus sign dropped"):
            return node.operand
        if isinstance(node.op, ast.Not) and self._site(node, "not dropped"):
            return node.operand
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:  # noqa: N802
        self.generic_visit(node)
        other = ast.Or if isinstance(node.op, ast.And) else ast.And
        if self._site(node, f"{type(node.op).__name__} -> {other.__name__}"):
            node.op = other()
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:  # noqa: N802
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in ("max", "min"):
            other = "min" if node.func.id == "max" else "max"
            if self._site(node, f"{node.func.id} -> {other}"):
                node.func = ast.Name(other, ast.Load())
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:  # noqa: N802
        if type(node.value) is int and 0 <= node.value <= 100 and self._site(node, f"{node.value} -> {node.value + 1}"):
            return ast.Constant(node.value + 1)
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:  # noqa: N802
        self.generic_visit(node)
        sibling = ATTR_SIBLINGS.get(node.attr)
        if sibling and self._site(node, f".{node.attr} -> .{sibling}"):
            node.attr = sibling
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:  # noqa: N802
        sibling = NAME_SIBLINGS.get(node.id)
        if (isinstance(node.ctx, ast.Load) and sibling in self.local_names
                and self._site(node, f"{node.id} -> {sibling}")):
            return ast.Name(sibling, ast.Load())
        return node

    def _drop(self, node: ast.Assign | ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if any(isinstance(t, ast.Attribute) or (isinstance(t, ast.Tuple) and any(
                isinstance(e, ast.Attribute) for e in t.elts)) for t in targets):
            if self._site(node, "update dropped"):
                return ast.Pass()
        return node

    def visit_Assign(self, node: ast.Assign) -> ast.AST:  # noqa: N802
        return self._drop(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:  # noqa: N802
        return self._drop(node)


def function_object(module: types.ModuleType, qualname: str) -> types.FunctionType:
    obj: object = module
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if isinstance(obj, property):  # a computed amount (Settlement.due): its getter
        obj = obj.fget
    fn = inspect.unwrap(obj)  # type: ignore[arg-type]
    assert isinstance(fn, types.FunctionType), qualname
    return fn


def function_tree(fn: types.FunctionType) -> ast.FunctionDef:
    source = textwrap.dedent(inspect.getsource(fn))
    tree = ast.parse(source)
    node = tree.body[0]
    assert isinstance(node, ast.FunctionDef)
    node.decorator_list = []
    return node


def mutants() -> Iterator[Mutant]:
    for module_name, functions in TARGETS.items():
        module = importlib.import_module(module_name)
        for qualname in functions:
            fn = function_object(module, qualname)
            counter = Mutator(local_names=frozenset(fn.__code__.co_varnames))
            counter.visit(copy.deepcopy(function_tree(fn)))
            first_line = fn.__code__.co_firstlineno
            for i, (line, what) in enumerate(counter.sites):
                yield Mutant(module_name, qualname, i, first_line + line - 1, what)


def mutated_code(m: Mutant) -> types.CodeType:
    module = importlib.import_module(m.module)
    fn = function_object(module, m.function)
    tree = function_tree(fn)
    Mutator(m.index, frozenset(fn.__code__.co_varnames)).visit(tree)
    ast.fix_missing_locations(tree)
    # Compile inside a function that declares the original's free variables, so closures still match.
    free = fn.__code__.co_freevars
    body: ast.stmt = tree
    if free:
        outer = ast.parse("def _outer():\n    pass\n").body[0]
        assert isinstance(outer, ast.FunctionDef)
        outer.body = [ast.parse(f"{name} = None").body[0] for name in free] + [tree]
        body = outer
    module_ast = ast.Module(body=[body], type_ignores=[])
    ast.fix_missing_locations(module_ast)
    code = compile(module_ast, inspect.getsourcefile(fn) or m.module, "exec")
    consts = [c for c in code.co_consts if isinstance(c, types.CodeType)]
    if free:
        consts = [c for c in consts[0].co_consts if isinstance(c, types.CodeType)]
    found = next(c for c in consts if c.co_name == fn.__code__.co_name)
    return found


class CoverageMap:
    """pytest plugin: which target functions each test runs, and how long it takes."""

    def __init__(self, codes: dict[types.CodeType, str]) -> None:
        self.codes, self.tests = codes, {}  # type: ignore[var-annotated]

    def _profile(self, hit: set[str]):  # type: ignore[no-untyped-def]
        codes = self.codes

        def profile(frame, event, arg):  # type: ignore[no-untyped-def]
            if event == "call":
                name = codes.get(frame.f_code)
                if name is not None:
                    hit.add(name)
        return profile

    import pytest as _pytest

    @_pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):  # type: ignore[no-untyped-def]
        hit: set[str] = set()
        began = time.monotonic()
        sys.setprofile(self._profile(hit))
        try:
            yield
        finally:
            sys.setprofile(None)
            self.tests[item.nodeid] = (sorted(hit), time.monotonic() - began)


def fingerprint() -> str:
    """What the coverage map depends on: the test files, the conftest and the target modules' source."""
    import hashlib

    digest = hashlib.sha256()
    paths = [t.split("::")[0] for t in TESTS] + ["tests/conftest.py", "tests/helpers.py", "tests/bank_helpers.py"]
    paths += [inspect.getsourcefile(importlib.import_module(name)) or "" for name in TARGETS]
    for path in sorted(set(paths)):
        with open(path, "rb") as f:
            digest.update(path.encode() + b"\0" + f.read())
    return digest.hexdigest()


def coverage_map(path: str) -> dict[str, tuple[list[str], float]]:
    """Run the test subset once, unmutated, noting which target functions each test calls (kept in
    `path` and made again when a test file or a target module changed)."""
    stamp = fingerprint()
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            kept = json.load(f)
        if kept.get("fingerprint") == stamp:
            return {k: (v[0], v[1]) for k, v in kept["tests"].items()}
    codes = {}
    for module_name, functions in TARGETS.items():
        module = importlib.import_module(module_name)
        for qualname in functions:
            codes[function_object(module, qualname).__code__] = f"{module_name}:{qualname}"
    import pytest

    plugin = CoverageMap(codes)
    rc = pytest.main(["-q", "-p", "no:cacheprovider", "-k", DESELECT, "--basetemp=/dev/shm/gasdesk-mutant-map",
                      *TESTS], plugins=[plugin])
    if rc != 0:
        raise SystemExit("the test subset fails without any mutant: fix that first")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"fingerprint": stamp, "tests": plugin.tests}, f, ensure_ascii=False)
    return plugin.tests


def warm_up(paths: list[str]) -> None:
    """Import the test modules (and everything they import) once in the parent, by a quiet collection,
    so each forked child starts with them loaded and only runs its tests."""
    import pytest

    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(1), os.dup(2)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", *paths])
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(devnull)


TESTS_OVERRIDE: list[str] = []


def tests_for(m: Mutant, cov: dict[str, tuple[list[str], float]]) -> list[str]:
    """The tests that run the mutated function, quickest first (the run stops at the first failure)."""
    if TESTS_OVERRIDE:
        return list(TESTS_OVERRIDE)
    key = f"{m.module}:{m.function}"
    return [t for t, (hit, _) in sorted(cov.items(), key=lambda kv: kv[1][1]) if key in hit]


def start_one(m: Mutant, tests: list[str]) -> int | None:
    """Fork the child that runs the tests against the mutant; None when the mutant cannot be made."""
    try:
        code = mutated_code(m)
    except Exception:  # noqa: BLE001 - a mutant that does not compile is not counted
        return None
    pid = os.fork()
    if pid == 0:  # the child: swap the code, run the tests, say how they went
        try:
            os.setpgrp()  # its own process group, so a timeout also ends whatever it started
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler stops the parent's children
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            fn = function_object(importlib.import_module(m.module), m.function)
            fn.__code__ = code
            import pytest

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            if not tests:
                os._exit(0)  # no test runs this code: the mutant survives
            rc = pytest.main(["-x", "-q", "-p", "no:cacheprovider",
                              f"--basetemp=/dev/shm/gasdesk-mutant-{os.getpid()}", *tests])
            # 1: a test failed (killed); 0: all passed (survived); anything else (a test not found, no
            # test collected, an internal error) says nothing about the mutant.
            os._exit({0: 0, 1: 1}.get(int(rc), 2))
        except BaseException:  # noqa: BLE001
            os._exit(2)
    return pid


def poll(pid: int, started: float, timeout: float) -> str | None:
    """The outcome of a finished child ('killed', 'survived', 'timeout'), None while it runs."""
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        shutil.rmtree(f"/dev/shm/gasdesk-mutant-{pid}", ignore_errors=True)
        return {0: "survived", 1: "killed"}.get(os.waitstatus_to_exitcode(status), "error")
    if time.monotonic() - started > timeout:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        shutil.rmtree(f"/dev/shm/gasdesk-mutant-{pid}", ignore_errors=True)
        return "timeout"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once (forked children)")
    parser.add_argument("--timeout", type=float, default=0.0,
                        help="seconds a mutant's test run may take (default: 3 times its tests' unmutated "
                             "time plus 30 s, and a mutant that times out is tried again with 10 times plus "
                             "120 s: one that loops forever costs minutes, not hours, and load is not a kill)")
    parser.add_argument("--nice", type=int, default=10, help="niceness of the run (the machine is shared)")
    parser.add_argument("--only", default="", help="run only mutants whose name contains one of these texts "
                                                   "(separated by '|', e.g. the survivors of an earlier run)")
    parser.add_argument("--tests", nargs="*", default=None,
                        help="run these tests against every mutant instead of those that call its function "
                             "(no coverage map: checking that new tests kill given survivors)")
    parser.add_argument("--json", default="", help="append one JSON line per mutant to this file")
    parser.add_argument("--coverage", default="/tmp/gasdesk-mutant-coverage.json",
                        help="which tests run which function (made by a first, unmutated run when missing)")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    sys.path.insert(0, ROOT)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.pop("GASDESK_TEST_PG_URL", None)  # the SQLite half: the same code runs on both engines
    if args.nice > 0:
        os.nice(args.nice)
    wanted = [w.strip() for w in args.only.split("|") if w.strip()]
    every = [m for m in mutants() if not wanted or any(w in m.name for w in wanted)]
    if args.list:
        for m in every:
            print(m.name)
        print(f"{len(every)} mutants")
        return 0
    import tests.conftest  # noqa: F401 - imported once in the parent, so each child starts warm

    if args.tests is not None:
        TESTS_OVERRIDE[:] = args.tests
        cov: dict[str, tuple[list[str], float]] = {t: ([], 30.0) for t in args.tests}
    else:
        cov = coverage_map(args.coverage)
    warm_up(list(args.tests) if args.tests is not None else list(TESTS))

    results: dict[str, int] = {"killed": 0, "survived": 0, "timeout": 0, "error": 0}
    survivors: list[Mutant] = []
    out = open(args.json, "a", encoding="utf-8") if args.json else None  # noqa: SIM115
    started = time.monotonic()
    queue = list(every)
    running: dict[int, tuple[Mutant, float, float]] = {}
    finished = 0

    def report(m: Mutant, outcome: str, seconds: float) -> None:
        nonlocal finished
        finished += 1
        results[outcome] += 1
        if outcome == "survived":
            survivors.append(m)
        print(f"[{finished}/{len(every)}] {outcome:8s} {seconds:5.1f}s {m.name}", flush=True)
        if out is not None:
            out.write(json.dumps({"mutant": m.name, "outcome": outcome, "seconds": round(seconds, 1)},
                                 ensure_ascii=False) + "\n")
            out.flush()

    retried: set[Mutant] = set()

    def stop_children(*_: object) -> None:  # stopped (Ctrl-C, kill): no child keeps running its tests
        for pid in running:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        raise SystemExit(130)

    signal.signal(signal.SIGTERM, stop_children)
    signal.signal(signal.SIGINT, stop_children)
    while queue or running:
        while queue and len(running) < max(1, args.jobs):
            m = queue.pop(0)
            chosen = tests_for(m, cov)
            pid = start_one(m, chosen)
            if pid is None:
                report(m, "error", 0.0)
            else:
                unmutated = sum(cov[t][1] for t in chosen)
                # A second try (after a timeout) gets far longer: a loaded machine is not a killed mutant.
                limit = args.timeout or (120.0 + 10 * unmutated if m in retried else 30.0 + 3 * unmutated)
                running[pid] = (m, time.monotonic(), limit)
        for pid, (m, began, limit) in list(running.items()):
            outcome = poll(pid, began, limit)
            if outcome is not None:
                del running[pid]
                if outcome == "timeout" and m not in retried and not args.timeout:
                    retried.add(m)
                    queue.append(m)
                    continue
                report(m, outcome, time.monotonic() - began)
        time.sleep(0.1)
    counted = results["killed"] + results["survived"] + results["timeout"]
    score = (results["killed"] + results["timeout"]) / counted * 100 if counted else 100.0
    summary = {"mutants": counted, **results, "score_percent": round(score, 1),
               "minutes": round((time.monotonic() - started) / 60, 1)}
    print(json.dumps(summary, ensure_ascii=False))
    for m in survivors:
        print("SURVIVED", m.name)
    if out is not None:
        out.write(json.dumps({"summary": summary}, ensure_ascii=False) + "\n")
        out.close()
    return 0 if score >= 95 else 1


if __name__ == "__main__":
    raise SystemExit(main())
