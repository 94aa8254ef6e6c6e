"""The flow drawn from its FlowDef, like the company's process charts.

Steps are boxes; a step with a question gets a diamond under it, and its decision actions leave the
diamond labelled 是/否; every action that changes step is an arrow to its target. A refusal ends in
a "告知原因" box at the right of the step that refuses. Because the picture is built from the same
definition the engine runs, it cannot disagree with it. Done steps are green, the current one is
highlighted, the remaining ones plain.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF, QTextOption
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsTextItem,
    QGraphicsView,
    QWidget,
)

from gasdesk.flows.definition import FlowDef, StepDef
from gasdesk.services.orders import OrderView

BOX_W = 210.0
MIN_BOX_H = 44.0
DIA_W = 176.0
DIA_H = 62.0
DIA_GAP = 16.0
RANK_GAP = 44.0
COL_GAP = 56.0
REJECT_W = 150.0
LANE_STEP = 16.0

STYLE = {
    "current": ("#fff3c4", "#d99a00", 3.0, "#3d2c00"),
    "done": ("#e3f4e4", "#5c9e60", 1.6, "#245a28"),
    "todo": ("#ffffff", "#8190a5", 1.2, "#1f2d3d"),
    "end_done": ("#c8e6c9", "#2e7d32", 2.4, "#1b4d1f"),
    "reject": ("#fff5f4", "#d99090", 1.2, "#7a2b2b"),
    "reject_hit": ("#fbd3cf", "#c62828", 3.0, "#7a1010"),
}
EDGE_TAKEN = QColor("#43a047")
EDGE_PLAIN = QColor("#98a3b3")


@dataclass
class ChartState:
    """What the order has done: the chart colours come from here."""

    current: str | None = None
    done: set[str] = field(default_factory=set)
    taken: set[tuple[str, str]] = field(default_factory=set)


def state_of(order: OrderView | None) -> ChartState:
    if order is None:
        return ChartState()
    done: set[str] = set()
    taken: set[tuple[str, str]] = set()
    for h in order.history:
        if h.from_step and h.from_step != h.to_step:
            done.add(h.from_step)
            taken.add((h.from_step, h.action))
    done.discard(order.step)
    return ChartState(current=order.step, done=done, taken=taken)


@dataclass
class Node:
    key: str
    label: str
    kind: str  # step | end | reject
    step: StepDef | None = None
    rank: int = 0
    x: float = 0.0  # centre
    y: float = 0.0  # top
    box_h: float = MIN_BOX_H
    sub: str = ""

    @property
    def has_question(self) -> bool:
        return self.step is not None and bool(self.step.question)

    @property
    def decision_only(self) -> bool:
        """A step that is nothing but its question (是否需要封堵) is drawn as the diamond alone."""
        return self.step is not None and self.step.question == self.step.label

    @property
    def dia_top(self) -> float:
        return self.y + self.box_h + (DIA_GAP if self.box_h else 0.0)

    @property
    def height(self) -> float:
        return (self.dia_top - self.y + DIA_H) if self.has_question else self.box_h

    @property
    def width(self) -> float:
        return REJECT_W if self.kind == "reject" else BOX_W

    @property
    def left(self) -> float:
        return self.x - self.width / 2

    @property
    def right(self) -> float:
        return self.x + self.width / 2

    def out_bottom(self) -> QPointF:
        return QPointF(self.x, self.y + self.height)

    def out_side(self, right: bool) -> QPointF:
        """The diamond's side vertex (or the box's side middle) where a side arrow leaves."""
        if self.has_question:
            cy = self.dia_top + DIA_H / 2
            return QPointF(self.x + (DIA_W / 2 if right else -DIA_W / 2), cy)
        return QPointF(self.right if right else self.left, self.y + self.box_h / 2)

    def in_top(self) -> QPointF:
        return QPointF(self.x, self.y)

    def in_side(self, right: bool) -> QPointF:
        if self.decision_only:
            return QPointF(self.x + (DIA_W / 2 if right else -DIA_W / 2), self.y + DIA_H / 2)
        return QPointF(self.right if right else self.left, self.y + self.box_h / 2)


@dataclass
class Edge:
    source: str
    target: str
    actions: list[str]
    labels: list[str]
    # The actions' whole labels: a label cut short on the chart shows them as its tooltip.
    full: list[str] = field(default_factory=list)


def _elide(text: str, n: int = 9) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _sub_text(step: StepDef) -> str:
    if step.limit:
        return f"时限 {step.limit.label}"
    if step.customer_wait:
        return "等待客户，暂停计时"
    if not step.counted:
        return "不计入承诺时限"
    return ""


class FlowLayout:
    """Ranks by breadth-first distance from the first step; the archive at the bottom, refusals right."""

    def __init__(self, flow: FlowDef, *, show_cancelled: bool = False) -> None:
        self.flow = flow
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        steps = [s for s in flow.steps if not s.terminal]
        for s in steps:
            self.nodes[s.code] = Node(s.code, s.label, "step", s, sub=_sub_text(s))
        self.nodes["archived"] = Node("archived", flow.step("archived").label, "end")
        if show_cancelled:
            self.nodes["cancelled"] = Node("cancelled", flow.step("cancelled").label, "end")
        by_pair: dict[tuple[str, str], Edge] = {}
        for s in steps:
            for a in s.actions:
                if a.target == s.code:
                    continue
                target = f"reject:{s.code}" if a.target == "rejected" else a.target
                if a.target == "rejected" and target not in self.nodes:
                    self.nodes[target] = Node(target, "告知客户原因\n（不予受理）", "reject")
                if target not in self.nodes and flow.step(a.target).terminal:
                    # A flow's own ending (e.g. an inspection ending unreachable) sits beside the archive.
                    self.nodes[target] = Node(target, flow.step(a.target).label, "end")
                edge = by_pair.get((s.code, target))
                if edge is None:
                    edge = by_pair[(s.code, target)] = Edge(s.code, target, [], [])
                    self.edges.append(edge)
                edge.actions.append(a.code)
                edge.full.append(a.label)
                edge.labels.append(a.decision or ("不予受理" if a.target == "rejected" else _elide(a.label)))
        self._rank()
        self._place()

    def _rank(self) -> None:
        ranks = {self.flow.initial: 0}
        queue = deque([self.flow.initial])
        while queue:
            code = queue.popleft()
            for e in self.edges:
                t = self.nodes[e.target]
                if e.source == code and t.kind == "step" and e.target not in ranks:
                    ranks[e.target] = ranks[code] + 1
                    queue.append(e.target)
        last = max(ranks.values(), default=0)
        for n in self.nodes.values():
            if n.kind == "step":
                n.rank = ranks.get(n.key, last)
            elif n.kind == "end":
                n.rank = last + 1
            else:
                n.rank = ranks.get(n.key.split(":", 1)[1], 0)

    def _measure(self, n: Node) -> None:
        if n.decision_only:
            n.box_h = 0.0
            return
        lines = 2 if len(n.label) > 12 or "\n" in n.label else 1
        n.box_h = max(MIN_BOX_H, 14.0 + 19.0 * lines + (15.0 if n.sub else 0.0))

    def _place(self) -> None:
        for n in self.nodes.values():
            self._measure(n)
        order = {s.code: i for i, s in enumerate(self.flow.steps)}
        ranks: dict[int, list[Node]] = {}
        for n in self.nodes.values():
            if n.kind != "reject":
                ranks.setdefault(n.rank, []).append(n)
        y = 0.0
        for r in sorted(ranks):
            row = sorted(ranks[r], key=lambda n: (n.kind == "end", order.get(n.key, 99)))
            total = len(row) * BOX_W + (len(row) - 1) * COL_GAP
            for i, n in enumerate(row):
                n.x = -total / 2 + BOX_W / 2 + i * (BOX_W + COL_GAP)
                n.y = y
            y += max(n.height for n in row) + RANK_GAP
        for n in self.nodes.values():
            if n.kind == "reject":
                src = self.nodes[n.key.split(":", 1)[1]]
                right = max(m.right for m in ranks[src.rank])
                n.x = right + COL_GAP + REJECT_W / 2
                n.y = src.out_side(True).y() - n.box_h / 2


class FlowChartScene(QGraphicsScene):
    def __init__(self, flow: FlowDef, order: OrderView | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flow = flow
        self.state = state_of(order)
        self.layout = FlowLayout(flow, show_cancelled=bool(order and order.step == "cancelled"))
        self.items_by_key: dict[str, QGraphicsItem] = {}
        self.setBackgroundBrush(QBrush(QColor("#fbfcfe")))
        font = QFont()
        font.setPointSize(9)
        self.font_ = font
        small = QFont(font)
        small.setPointSize(8)
        self.small = small
        self._lanes: dict[str, int] = {}
        for n in self.layout.nodes.values():
            self._draw_node(n)
        for e in self.layout.edges:
            self._draw_edge(e)
        self.setSceneRect(self.itemsBoundingRect().adjusted(-20, -20, 20, 20))

    # nodes --------------------------------------------------------------------------------
    def node_state(self, n: Node) -> str:
        st = self.state
        if n.kind == "reject":
            src = n.key.split(":", 1)[1]
            hit = st.current == "rejected" and any(
                (src, a) in st.taken for e in self.layout.edges if e.target == n.key for a in e.actions)
            return "reject_hit" if hit else "reject"
        if n.key == st.current:
            return "end_done" if n.kind == "end" else "current"
        if n.key in st.done:
            return "done"
        return "todo"

    def _text(self, text: str, rect: QRectF, font: QFont, color: str) -> QGraphicsTextItem:
        item = QGraphicsTextItem()
        item.setFont(font)
        item.setDefaultTextColor(QColor(color))
        item.setPlainText(text)
        item.setTextWidth(rect.width())
        opt = QTextOption(Qt.AlignmentFlag.AlignHCenter)
        opt.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        item.document().setDefaultTextOption(opt)
        h = item.boundingRect().height()
        item.setPos(rect.left(), rect.center().y() - h / 2)
        self.addItem(item)
        return item

    def _draw_node(self, n: Node) -> None:
        state = self.node_state(n)
        fill, border, width, fg = STYLE[state]
        rect = QRectF(n.left, n.y, n.width, n.box_h)
        if not n.decision_only:
            self._draw_box(n, rect, state)
        if n.has_question and n.step is not None:
            top = n.dia_top
            poly = QPolygonF([QPointF(n.x, top), QPointF(n.x + DIA_W / 2, top + DIA_H / 2),
                              QPointF(n.x, top + DIA_H), QPointF(n.x - DIA_W / 2, top + DIA_H / 2)])
            dia = QGraphicsPolygonItem(poly)
            if n.decision_only:
                dia.setBrush(QBrush(QColor(fill)))
                dia.setPen(QPen(QColor(border), width))
                dia.setData(0, n.key)
                dia.setData(1, state)
                self.items_by_key[n.key] = dia
            else:
                dfill = {"done": "#eef8ee", "current": "#fff9e0"}.get(state, "#f5f7fa")
                dia.setBrush(QBrush(QColor(dfill)))
                dia.setPen(QPen(QColor(border), 1.4))
                dia.setData(0, f"question:{n.key}")
                self._line(QPointF(n.x, rect.bottom()), QPointF(n.x, top), state in ("done", "current"))
            dia.setToolTip(self._tip(n))
            self.addItem(dia)
            self._text(n.step.question or "", QRectF(n.x - DIA_W / 2 + 28, top + 6, DIA_W - 56, DIA_H - 12),
                       self.small, fg if n.decision_only else "#1f2d3d")

    def _tip(self, n: Node) -> str:
        if n.step is None:
            return n.label
        tips = [n.step.label]
        if n.step.limit:
            tips.append(f"时限：{n.step.limit.label}")
        if n.step.note:
            tips.append(n.step.note)
        tips += [f"· {a.label}" for a in n.step.actions]
        return "\n".join(tips)

    def _draw_box(self, n: Node, rect: QRectF, state: str) -> None:
        fill, border, width, fg = STYLE[state]
        path = QPainterPath()
        radius = n.box_h / 2 if n.kind == "end" else 6.0
        path.addRoundedRect(rect, radius, radius)
        box = QGraphicsPathItem(path)
        box.setBrush(QBrush(QColor(fill)))
        box.setPen(QPen(QColor(border), width))
        box.setData(0, n.key)
        box.setData(1, state)
        box.setToolTip(self._tip(n))
        self.addItem(box)
        self.items_by_key[n.key] = box
        label_rect = QRectF(rect.left() + 6, rect.top() + 4, rect.width() - 12, rect.height() - (22 if n.sub else 8))
        bold = QFont(self.font_)
        bold.setBold(state == "current")
        self._text(n.label, label_rect, bold, fg)
        if n.sub:
            self._text(n.sub, QRectF(rect.left() + 4, rect.bottom() - 19, rect.width() - 8, 16), self.small,
                       "#6b7785")

    # edges --------------------------------------------------------------------------------
    def _pen(self, taken: bool) -> QPen:
        pen = QPen(EDGE_TAKEN if taken else EDGE_PLAIN, 2.4 if taken else 1.3)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        return pen

    def _line(self, a: QPointF, b: QPointF, taken: bool) -> None:
        path = QPainterPath(a)
        path.lineTo(b)
        item = QGraphicsPathItem(path)
        item.setPen(self._pen(taken))
        item.setZValue(-1)
        self.addItem(item)

    def _arrow(self, path: QPainterPath, end: QPointF, direction: QPointF, taken: bool, tag: str) -> None:
        item = QGraphicsPathItem(path)
        item.setPen(self._pen(taken))
        item.setZValue(-1)
        item.setData(0, tag)
        item.setData(1, "taken" if taken else "plain")
        self.addItem(item)
        length = (direction.x() ** 2 + direction.y() ** 2) ** 0.5 or 1.0
        ux, uy = direction.x() / length, direction.y() / length
        size = 8.0
        left = QPointF(end.x() - ux * size - uy * size * 0.5, end.y() - uy * size + ux * size * 0.5)
        right = QPointF(end.x() - ux * size + uy * size * 0.5, end.y() - uy * size - ux * size * 0.5)
        head = QGraphicsPolygonItem(QPolygonF([end, left, right]))
        color = EDGE_TAKEN if taken else EDGE_PLAIN
        head.setBrush(QBrush(color))
        head.setPen(QPen(color, 1))
        self.addItem(head)

    def _label(self, text: str, at: QPointF, *, right_of: bool = True) -> None:
        item = QGraphicsTextItem(text)
        item.setToolTip(getattr(self, "_label_tip", "") or text)
        item.setFont(self.small)
        item.setDefaultTextColor(QColor("#3b4a5c"))
        br = item.boundingRect()
        item.setPos(at.x() + (3 if right_of else -br.width() - 3), at.y() - br.height() / 2)
        bg = QGraphicsRectItem(item.sceneBoundingRect().adjusted(3, 3, -3, -3))
        bg.setBrush(QBrush(QColor(251, 252, 254, 230)))
        bg.setPen(QPen(Qt.PenStyle.NoPen))
        self.addItem(bg)
        self.addItem(item)

    def _blocked(self, src: Node, dst: Node) -> bool:
        lo, hi = sorted((src.rank, dst.rank))
        for n in self.layout.nodes.values():
            if n.kind != "reject" and lo < n.rank < hi and n.left - 10 < dst.x < n.right + 10:
                return True
        return abs(src.x - dst.x) > 1 and dst.rank - src.rank > 1

    @staticmethod
    def _side(n: Node) -> str | None:
        return "left" if n.x < -1 else ("right" if n.x > 1 else None)

    def _draw_edge(self, e: Edge) -> None:
        src, dst = self.layout.nodes[e.source], self.layout.nodes[e.target]
        taken = any((e.source, a) in self.state.taken for a in e.actions)
        label = " / ".join(dict.fromkeys(e.labels))
        self._label_tip = "\n".join(dict.fromkeys(e.full))
        tag = f"edge:{e.source}->{e.target}"
        if dst.kind == "reject":
            a, b = src.out_side(True), dst.in_side(False)
            path = QPainterPath(a)
            path.lineTo(b)
            self._arrow(path, b, QPointF(1, 0), taken, tag)
            self._label(label, QPointF(a.x() + 4, a.y() - 10))
            return
        if dst.rank > src.rank and not self._blocked(src, dst):
            a, b = src.out_bottom(), dst.in_top()
            path = QPainterPath(a)
            if abs(a.x() - b.x()) < 1:
                path.lineTo(b)
            else:
                mid = (a.y() + b.y()) / 2
                path.cubicTo(QPointF(a.x(), mid), QPointF(b.x(), mid), b)
            self._arrow(path, b, QPointF(0, 1) if abs(a.x() - b.x()) < 1 else QPointF(b.x() - a.x(), 20), taken,
                        tag)
            self._label(label, QPointF((a.x() + b.x()) / 2, a.y() + 12))
            return
        # Back edges (re-work, re-booking) and long jumps run down a lane on the outer side.
        back = dst.rank <= src.rank
        side = self._side(src) or self._side(dst) or ("left" if back else "right")
        right = side == "right"
        lo, hi = sorted((src.rank, dst.rank))
        span_l, span_r = min(src.left, dst.left), max(src.right, dst.right)
        near = [n for n in self.layout.nodes.values()
                if n.kind != "reject" and lo <= n.rank <= hi and n.right > span_l and n.left < span_r]
        self._lanes[side] = self._lanes.get(side, 0) + 1
        offset = 18 + LANE_STEP * self._lanes[side]
        lane = max(n.right for n in near) + offset if right else min(n.left for n in near) - offset
        a, b = src.out_side(right), dst.in_side(right)
        path = QPainterPath(a)
        path.lineTo(QPointF(lane, a.y()))
        path.lineTo(QPointF(lane, b.y()))
        path.lineTo(b)
        self._arrow(path, b, QPointF(-1 if right else 1, 0), taken, tag)
        self._label(label, QPointF(a.x() + (4 if right else -4), a.y() - 10), right_of=right)


class FlowChartView(QGraphicsView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.chart: FlowChartScene | None = None

    def show_flow(self, flow: FlowDef, order: OrderView | None = None) -> FlowChartScene:
        self.chart = FlowChartScene(flow, order, self)
        self.setScene(self.chart)
        self.fit()
        current = self.chart.items_by_key.get(order.step) if order is not None else None
        if current is not None:
            self.centerOn(current)
        return self.chart

    def fit(self) -> None:
        """Fit the width (never enlarge beyond 100 %); tall charts scroll."""
        if self.chart is None:
            return
        rect = self.chart.sceneRect()
        avail = max(50, self.viewport().width() - 4)
        scale = min(1.0, avail / rect.width())
        self.resetTransform()
        self.scale(scale, scale)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self.fit()
