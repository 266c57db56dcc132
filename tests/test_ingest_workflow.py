"""The upload page's workflow without Streamlit: the state kept between reruns is a plain dict here."""

from lit_analytics.ingest.workflow import KIND_KEY, LAB_KEY, QUARTER_KEY, Source, Target, UploadWorkflow

SESSIONS = Target("sessions", "siilab", "2021-T3")
PROJECTS = Target("projets", "siilab", "2021-T3")
KINDS, LABS, QUARTERS = ["projets", "sessions"], ["siilab"], ["2021-T3", "2021-T2"]


def test_a_reminders_link_preselects_the_report_once_and_only_with_allowed_values():
    state = {}
    flow = UploadWorkflow(state)
    flow.follow_link({"rapport": "sessions", "lab": "siilab", "trimestre": "2021-T2"}, KINDS, LABS, QUARTERS)
    assert (state[KIND_KEY], state[LAB_KEY], state[QUARTER_KEY]) == ("sessions", "siilab", "2021-T2")
    state[KIND_KEY] = "projets"                                      # the user chooses another kind
    flow.follow_link({"rapport": "sessions"}, KINDS, LABS, QUARTERS)   # a later rerun: the user's choice stays
    assert state[KIND_KEY] == "projets"

    other = {}
    UploadWorkflow(other).follow_link({"rapport": "financements", "lab": "autre-lab", "trimestre": "1999-T1"},
                                      KINDS, LABS, QUARTERS)
    assert KIND_KEY not in other and LAB_KEY not in other and QUARTER_KEY not in other


def test_an_uploaded_file_is_the_source_and_a_switched_file_follows_its_new_kind():
    state = {}
    flow = UploadWorkflow(state)
    assert flow.file_source(SESSIONS, None) is None
    source = flow.file_source(SESSIONS, (b"data", "rapport.csv"))
    assert source == Source(b"data", "rapport.csv") and not source.from_grid

    flow.switch_kind("projets", SESSIONS, source)           # « Vérifier comme projets »
    assert state[KIND_KEY] == "projets"
    assert flow.file_source(PROJECTS, None) == Source(b"data", "rapport.csv")   # the file is carried over
    assert flow.file_source(SESSIONS, None) is None                               # to that target only
    assert flow.file_source(PROJECTS, (b"new", "autre.csv")).name == "autre.csv"  # a new upload wins


def test_the_grid_is_verified_when_asked_and_again_after_any_edit():
    flow = UploadWorkflow({})
    assert flow.grid_source(SESSIONS, b"v1", "grille.csv", [1]) is None   # not verified yet
    assert not flow.grid_changed_since_check(SESSIONS, b"v1")
    flow.verify_grid(SESSIONS, b"v1")
    source = flow.grid_source(SESSIONS, b"v1", "grille.csv", [1])
    assert source == Source(b"v1", "grille.csv", [1]) and source.from_grid
    assert flow.grid_source(SESSIONS, b"v2", "grille.csv", [1]) is None   # edited since « Vérifier »
    assert flow.grid_changed_since_check(SESSIONS, b"v2")
    assert not flow.grid_changed_since_check(PROJECTS, b"v2")            # another report's grid: nothing said


def test_publishing_uses_the_version_the_previous_screen_compared_against():
    flow = UploadWorkflow({})
    assert flow.reviewed_version(SESSIONS, "sha-a", 7) == -1      # first screen: nothing reviewed yet
    assert flow.reviewed_version(SESSIONS, "sha-a", 8) == 7       # the click's rerun: what the user saw
    assert flow.reviewed_version(SESSIONS, "sha-b", 8) == -1      # another file: its own first screen
    assert flow.reviewed_version(PROJECTS, "sha-b", 8) == -1      # same file, another report
    assert flow.reviewed_version(PROJECTS, "sha-b", None) == 8


def test_a_publication_is_announced_once_and_forgets_the_verified_file_and_grid():
    state = {}
    flow = UploadWorkflow(state)
    source = flow.file_source(SESSIONS, (b"data", "rapport.csv"))
    flow.switch_kind("projets", SESSIONS, source)
    flow.verify_grid(PROJECTS, b"grid")
    flow.published("Publié : projets siilab T3 2021.")
    assert flow.file_source(PROJECTS, None) is None
    assert flow.grid_source(PROJECTS, b"grid", "grille.csv", []) is None
    assert flow.take_notice() == "Publié : projets siilab T3 2021."
    assert flow.take_notice() is None
    flow.restored("Version n° 3 restaurée.")
    assert flow.take_notice() == "Version n° 3 restaurée."
