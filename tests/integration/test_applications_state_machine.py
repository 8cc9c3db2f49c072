"""Hypothesis state machine: any sequence of anyone's actions — right or wrong actor, stale or
current version, with or without reasons, good or bad runs, adequacy decided by anyone — never
lets an application reach provision without the ministry's approval, the provider's item
approval and an ADEQUATE review of every run; nobody decides their own application; a return
always goes back to its author."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from gamyeong.accounts.models import Organisation
from gamyeong.applications import services
from gamyeong.applications.models import Application, Document
from gamyeong.applications.workflows import PROVISION, Party
from gamyeong.processing import services as processing
from gamyeong.processing.models import AdequacyReview, Run
from tests.integration.applications_helpers import (
    World,
    all_ok,
    approved_run,
    build_world,
    draft_provision,
    items,
    upload,
)
from tests.integration.helpers import make_user

pytestmark = pytest.mark.django_db
CODES = sorted({a.code for a in PROVISION.actions})
REACHED_AFTER_ADEQUACY = {"provision", "in_use", "destroyed"}
REACHED: set[str] = set()  # the states the search visited: the test is not vacuous


def clone(run: Run) -> Run:
    """A new run row over the same output file (the state machine needs fresh, unreviewed runs;
    the output is what the application's checks read)."""
    copy = Run.objects.create(
        policy=run.policy,
        status=run.status,
        requested_by=run.requested_by,
        output_file=run.output_file,
        output_sha256=run.output_sha256,
        rows_in=run.rows_in,
        rows_out=run.rows_out,
        k_met=run.k_met,
        risk=run.risk,
        utility=run.utility,
    )
    processing.output_path(copy).symlink_to(processing.output_path(run))
    return copy


class ProvisionMachine(RuleBasedStateMachine):
    world: World
    actors: dict[str, Any]
    good: Run
    bad: Run

    def __init__(self) -> None:
        super().__init__()
        self.app = draft_provision(self.world)
        services.add_co_researcher(self.world.researcher, self.app, self.actors["co_ssis"].username)
        self.runs = {"good": clone(self.good), "bad": clone(self.bad)}
        self.own = {self.app.author_id, self.actors["co_ssis"].pk}

    def _take(self, who: str, code: str, **kwargs: Any) -> None:
        self.app.refresh_from_db()
        with contextlib.suppress(services.WorkflowError, PermissionDenied):
            services.take(self.actors[who], self.app, code, **kwargs)
        self.app.refresh_from_db()

    @rule(
        who=st.sampled_from(
            sorted(
                [
                    "researcher",
                    "mohw",
                    "ssis",
                    "ssis_review",
                    "keis",
                    "outsider",
                    "co_ssis",
                    "agency",
                ]
            )
        ),
        code=st.sampled_from(CODES),
        stale=st.booleans(),
        reason=st.sampled_from(["", "사유", "<script>x</script>"]),
        missing=st.sampled_from([[], ["서류"]]),
        subset=st.sampled_from(["all", "some", "none"]),
        run=st.sampled_from(["good", "bad", "none"]),
    )
    def act(
        self,
        who: str,
        code: str,
        stale: bool,
        reason: str,
        missing: list[str],
        subset: str,
        run: str,
    ) -> None:
        self.app.refresh_from_db()
        version = self.app.version - 1 if stale and self.app.version else self.app.version
        chosen = list(self.app.items.values_list("item_id", flat=True))
        approved = {"all": chosen, "some": chosen[:2], "none": []}[subset]
        runs = [] if run == "none" else [self.runs[run].pk]
        self._take(
            who,
            code,
            version=version,
            reason=reason,
            missing=missing,
            approved_items=approved,
            runs=runs,
        )

    @rule(
        who=st.sampled_from(["ssis_review", "ssis", "mohw", "co_ssis"]),
        decision=st.sampled_from(["adequate", "inadequate"]),
        which=st.sampled_from(["good", "bad"]),
    )
    def review(self, who: str, decision: str, which: str) -> None:
        run = self.runs[which]
        try:
            processing.decide_adequacy(
                run,
                reviewer=self.actors[who],
                decision=decision,
                reason="사유" if decision == "inadequate" else "",
                required_action="additional_processing" if decision == "inadequate" else "",
                checklist=all_ok(),
            )
        except (processing.ProcessingError, PermissionDenied):
            return
        if decision == "inadequate":  # a re-run: the provider makes a new one
            self.runs[which] = clone(self.good if which == "good" else self.bad)
        self.app.refresh_from_db()

    @rule()
    def advance(self) -> None:
        """The state's own party takes its forward step with good inputs (the search gets far)."""
        self.app.refresh_from_db()
        forward = {
            "draft": ("researcher", "submit"),
            "supplement": ("researcher", "resubmit"),
            "ministry_review": ("mohw", "approve"),
            "item_review": ("ssis", "approve_items"),
            "pseudonymization": ("ssis", "submit_run"),
            "provision": ("ssis", "provide"),
            "in_use": ("ssis", "destroy"),
        }.get(self.app.state)
        if self.app.state == "adequacy_review":
            self.review("ssis_review", "adequate", "good")
            return
        if self.app.state == "in_use":
            self.certificate("ssis")
        if forward is None:
            return
        chosen = list(self.app.items.values_list("item_id", flat=True))
        self._take(
            *forward,
            version=self.app.version,
            reason="검토 의견",
            approved_items=chosen,
            runs=[self.runs["good"].pk],
        )

    @rule(code=st.sampled_from(["return", "reject", "withdraw"]))
    def setback(self, code: str) -> None:
        """The owner returns or rejects (with a reason and what is missing), or the applicant
        withdraws."""
        self.app.refresh_from_db()
        owner = {"ministry": "mohw", "provider": "ssis"}.get(self.app.owner or "", "researcher")
        self._take(
            "researcher" if code == "withdraw" else owner,
            code,
            version=self.app.version,
            reason="사유",
            missing=["보완할 서류"],
        )

    @rule(who=st.sampled_from(["ssis", "researcher"]))
    def certificate(self, who: str) -> None:
        with contextlib.suppress(services.WorkflowError, PermissionDenied):
            upload(self.actors[who], self.app, Document.Kind.DESTRUCTION_CERTIFICATE)

    @invariant()
    def provision_needs_every_approval(self) -> None:
        app = Application.objects.get(pk=self.app.pk)
        REACHED.add(app.state)
        if app.state not in REACHED_AFTER_ADEQUACY:
            return
        done = list(app.transitions.values_list("action", "party"))
        assert ("approve", Party.MINISTRY) in done
        assert ("approve_items", Party.PROVIDER) in done
        runs = list(app.runs.all())
        assert runs
        for run in runs:
            review = AdequacyReview.objects.get(run=run)
            assert review.decision == "adequate"
            assert review.reviewer_id != run.requested_by_id
            assert review.reviewer_id not in self.own

    @invariant()
    def nobody_decides_their_own(self) -> None:
        for t in self.app.transitions.all():
            if t.party == Party.APPLICANT:
                assert t.actor_id == self.app.author_id
            else:
                assert t.actor_id not in self.own, t
        assert not self.app.provider_decisions.filter(actor_id__in=self.own).exists()

    @invariant()
    def returns_go_back_to_the_author(self) -> None:
        for t in self.app.transitions.filter(action="return"):
            assert PROVISION.owners[t.target] == Party.APPLICANT and t.missing and t.reason

    @invariant()
    def no_run_with_unapproved_items_reaches_review(self) -> None:
        if self.app.state in ({"adequacy_review"} | REACHED_AFTER_ADEQUACY):
            assert self.runs["bad"].pk not in set(self.app.runs.values_list("pk", flat=True))


def test_no_sequence_of_actions_skips_an_approval(
    settings: Any, tmp_path: Path, synth_dir: Path
) -> None:
    world = build_world(settings, tmp_path, synth_dir)
    ssis_org = Organisation.objects.get(name="한국사회보장정보원")
    # an SSIS data manager who is also a co-researcher of the application (and an adequacy
    # reviewer): the one person who could review their own application if the rules let them
    co_ssis = make_user(
        "cossis",
        ("researcher", "provider_data_manager", "adequacy_reviewer"),
        "provider",
        ssis_org.name,
    )
    actors = {name: world.user(name) for name in world.logins}
    actors |= {"co_ssis": co_ssis.user}
    # one real run of the approved items, and one of the example policy (keeps more items)
    app = draft_provision(world)
    app.items.update(approved=True)
    good = approved_run(world, app)
    example = Path(__file__).resolve().parents[2] / "examples/policies/ssis_persons.yaml"
    policy = processing.create_policy(
        good.policy.dataset, example.read_text(encoding="utf-8"), title="예시", user=world.ssis
    )
    bad = processing.execute_run(processing.request_run(policy, user=world.ssis).pk)
    assert items("ssis_persons", ("sido_name",))  # the example keeps sido_name: not approved

    ProvisionMachine.world, ProvisionMachine.actors = world, actors
    ProvisionMachine.good, ProvisionMachine.bad = good, bad
    machine = ProvisionMachine.TestCase
    machine.settings = settings_for_machine()
    machine().runTest()
    assert {"in_use", "supplement", "rejected", "withdrawn", "adequacy_review"} <= REACHED


def settings_for_machine() -> Any:
    return hsettings(
        max_examples=60,
        derandomize=True,  # the same search every run: the coverage assertion cannot flake
        stateful_step_count=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
