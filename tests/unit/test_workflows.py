"""The workflow tables are complete: every state has its place, every live state an owner and a
way on, every state can be reached, and the docs show the diagrams generated from the tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from gamyeong.applications import guards
from gamyeong.applications.workflows import WORKFLOWS, Party, State, Workflow, mermaid

DOCS = Path(__file__).resolve().parents[2] / "docs" / "applications.md"
FLOWS = list(WORKFLOWS.values())


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.code)
def test_every_live_state_has_an_owner_and_a_way_on(flow: Workflow) -> None:
    for state in flow.states:
        if state in flow.terminal:
            assert state not in flow.owners, state
            assert not flow.actions_from(state), state
        else:
            assert state in flow.owners, f"{state} has no owner"
            assert flow.actions_from(state), f"{state} is a dead end"


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.code)
def test_every_state_is_reachable_and_every_edge_stays_inside(flow: Workflow) -> None:
    reached, todo = {flow.initial}, [flow.initial]
    while todo:
        for action in flow.actions_from(todo.pop()):
            assert action.target in flow.states, action
            if action.target not in reached:
                reached.add(action.target)
                todo.append(action.target)
    assert reached == set(flow.states)


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.code)
def test_actions_are_well_formed(flow: Workflow) -> None:
    seen = set()
    for action in flow.actions:
        assert (action.source, action.code) not in seen, action
        seen.add((action.source, action.code))
        assert action.party in Party.values
        assert str(action.label)  # the label renders (in the active language)
        assert State(action.source) and State(action.target)
        if action.guard:
            guards.resolve(action.guard)  # every guard names a real check
        if action.party == Party.SYSTEM:
            assert not action.manual
        if action.target == State.REJECTED:
            assert action.reason, f"{action} rejects without a reason"
        if action.code == "return":
            assert action.missing and action.reason
            assert flow.owners[action.target] == Party.APPLICANT  # back to its author
    assert set(flow.due_days) <= set(flow.owners)


def test_the_combination_workflow_has_the_rows_of_korea_process_section_4() -> None:
    rows = [s for s in WORKFLOWS["combination"].states if s not in ("rejected", "withdrawn")]
    assert rows[0] == "draft_purpose" and rows[-1] == "destroyed"
    assert len(rows) == 24  # 1.1–1.5, 2.1–2.5, 3.1–3.2, 4.1–4.6, 5.1–5.4, 6.1–6.2


def test_provision_reaches_the_workspace_only_through_approval_and_adequacy() -> None:
    flow = WORKFLOWS["provision"]
    into_provision = [a for a in flow.actions if a.target == State.PROVISION]
    assert [(a.source, a.code) for a in into_provision] == [("adequacy_review", "adequate")]
    into_items = [a for a in flow.actions if a.target == State.ITEM_REVIEW]
    assert [(a.source, a.party) for a in into_items] == [("ministry_review", "ministry")]


def test_the_docs_show_the_diagrams_of_the_tables() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for flow in FLOWS:
        assert mermaid(flow) in text, (
            f"docs/applications.md is stale for {flow.code}: run gamyeong manage workflow_diagrams"
        )
