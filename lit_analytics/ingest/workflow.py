"""The upload page's workflow, without Streamlit: what it keeps between reruns and how one step leads to the next.

A report is deposited in steps spread over several reruns of the page: a reminder's link preselects the report,
a file is uploaded or a grid verified, a file of another kind is carried over when the user switches kind, the
verification on screen is remembered so that publishing can check nobody published in between, and the outcome
of a publication or a restore is announced once after the rerun that follows it. Each of these facts lives in a
mapping that survives reruns (Streamlit's `session_state` on the page, a plain dict in tests): this class is
the only code that reads or writes those keys, so the page only lays out widgets and the steps can be tested
without a browser (`tests/test_ingest_workflow.py`).

    flow = UploadWorkflow(state)                      # state: any mutable mapping kept between reruns
    flow.follow_link(query_params, kinds, labs, quarters)
    source = flow.file_source(target, upload)        # or flow.grid_source(...) after flow.verify_grid(...)
    reviewed = flow.reviewed_version(target, report.sha256, report.current_version_id)
    flow.published(notice)                           # then rerun: flow.take_notice() returns it once
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

# Widgets whose value the workflow sets (a reminder's link, a switch of kind): their keys on the page.
KIND_KEY = "depot_kind"
LAB_KEY = "depot_lab"
QUARTER_KEY = "depot_quarter"

# What is kept between reruns, and only here.
_LINK_READ = "depot_link_read"     # the reminder's link was applied (once per session: the user's choices win)
_CARRY = "depot_carry"             # (target key, data, file name): a file carried over to another kind
_GRID_CHECKED = "grid_checked"     # (target key, data): the grid as it was when « Vérifier » was clicked
_NOTICE = "depot_notice"           # the outcome of a publication or restore, shown once after the rerun
_REVIEWED = "depot_reviewed"       # {"file": (sha256, target key), "version": id}: what the screen compared with


@dataclass(frozen=True)
class Target:
    """The report being deposited: its kind, and for a lab report the lab and the quarter."""
    kind: str
    lab_id: str | None = None
    quarter: str | None = None

    @property
    def key(self) -> str:
        """Identifies the target in widget keys and in the kept state (« sessions-siilab-2021-T3 »)."""
        return f"{self.kind}-{self.lab_id}-{self.quarter}"


@dataclass(frozen=True)
class Source:
    """What is to be verified: the file's bytes and name; for the grid, the grid row of each line."""
    data: bytes
    name: str
    grid_labels: list | None = None

    @property
    def from_grid(self) -> bool:
        return self.grid_labels is not None


class UploadWorkflow:
    """The steps of a deposit over a mapping kept between reruns (see the module's docstring)."""

    def __init__(self, state: MutableMapping[str, Any]):
        self.state = state

    def follow_link(self, link: Mapping[str, str], kinds: Collection[str], labs: Collection[str],
                    quarters: Collection[str]) -> None:
        """Preselect the report named by a reminder's link (?rapport=…&lab=…&trimestre=…), once per session and
        only with values the user may choose; later reruns keep the user's own choices."""
        if self.state.get(_LINK_READ):
            return
        self.state[_LINK_READ] = True
        if link.get("rapport") in kinds:
            self.state[KIND_KEY] = link["rapport"]
        if link.get("lab") in labs:
            self.state[LAB_KEY] = link["lab"]
        if link.get("trimestre") in quarters:
            self.state[QUARTER_KEY] = link["trimestre"]

    # --- what to verify ------------------------------------------------------------------------------------

    def file_source(self, target: Target, upload: tuple[bytes, str] | None) -> Source | None:
        """The uploaded file (data, name), else a file carried over to this target by `switch_kind`."""
        if upload is not None:
            return Source(upload[0], upload[1])
        carried = self.state.get(_CARRY)
        if carried and carried[0] == target.key:
            return Source(carried[1], carried[2])
        return None

    def verify_grid(self, target: Target, data: bytes) -> None:
        """« Vérifier » was clicked: the grid as it is now is the one to verify."""
        self.state[_GRID_CHECKED] = (target.key, data)

    def grid_source(self, target: Target, data: bytes, name: str, labels: list) -> Source | None:
        """The grid, if it was verified for this target and has not changed since."""
        if self.state.get(_GRID_CHECKED) == (target.key, data):
            return Source(data, name, labels)
        return None

    def grid_changed_since_check(self, target: Target, data: bytes) -> bool:
        """The grid of this target was verified, then edited: it must be verified again."""
        checked = self.state.get(_GRID_CHECKED)
        return bool(checked) and checked[0] == target.key and checked != (target.key, data)

    def switch_kind(self, other: str, target: Target, source: Source) -> None:
        """The file looks like a report of kind `other`: select that kind and carry the file over to it (a
        button's callback, run before the next rerun draws the widgets)."""
        self.state[KIND_KEY] = other
        self.state[_CARRY] = (Target(other, target.lab_id, target.quarter).key, source.data, source.name)

    # --- publishing ---------------------------------------------------------------------------------------

    def reviewed_version(self, target: Target, sha256: str, current_version_id: int | None) -> int | None:
        """Remember which published version this verification compared against, and return the one the
        previous rerun showed for the same file and target (-1 when the screen showed none): publishing checks
        it is still the current version, so nobody's publication is overwritten unseen."""
        reviewed = self.state.get(_REVIEWED, {})
        previous = reviewed.get("version", -1) if reviewed.get("file") == (sha256, target.key) else -1
        self.state[_REVIEWED] = {"file": (sha256, target.key), "version": current_version_id}
        return previous

    def published(self, notice: str) -> None:
        """A report was published: announce it after the rerun and forget the file and grid verified."""
        self.state[_NOTICE] = notice
        self.state.pop(_CARRY, None)
        self.state.pop(_GRID_CHECKED, None)

    def restored(self, notice: str) -> None:
        """An older version was restored: announce it after the rerun."""
        self.state[_NOTICE] = notice

    def take_notice(self) -> str | None:
        """The announcement left by the previous rerun, once."""
        return self.state.pop(_NOTICE, None)
