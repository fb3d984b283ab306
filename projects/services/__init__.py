"""Writes: every change to a programme goes through a function here, in one transaction."""

from .import_plan import ProgrammeLoadError
from .loading import programme_load
from .programmes import (
    ProgrammeError,
    partnership_update,
    programme_copy,
    programme_create,
    programme_update,
)

__all__ = [
    "ProgrammeError",
    "ProgrammeLoadError",
    "partnership_update",
    "programme_copy",
    "programme_create",
    "programme_load",
    "programme_update",
]

from .phases import phase_decide

__all__ += ["phase_decide"]

from .projects import (  # noqa: E402
    FieldProblem,
    ProjectRefusal,
    RowChange,
    project_changes_since,
    project_create,
    project_delete,
    project_update,
)

__all__ += [
    "FieldProblem",
    "ProjectRefusal",
    "RowChange",
    "project_changes_since",
    "project_create",
    "project_delete",
    "project_update",
]

from .scenarios import phase_decisions_apply  # noqa: E402

__all__ += ["phase_decisions_apply"]

from .importing import (  # noqa: E402
    ImportConflictError,
    import_target_problems,
    programme_as_imported,
    programme_import,
    programme_import_check,
    programme_state,
)

__all__ += [
    "ImportConflictError",
    "import_target_problems",
    "programme_as_imported",
    "programme_import",
    "programme_import_check",
    "programme_state",
]

from .tranches import TrancheCheck, fingerprint, save_checking_tranches  # noqa: E402

__all__ += ["TrancheCheck", "fingerprint", "save_checking_tranches"]

from .spend import forecasts_set, spend_delete, spend_record  # noqa: E402

__all__ += ["forecasts_set", "spend_delete", "spend_record"]

from .ledger_import import (  # noqa: E402
    LedgerChangedError,
    ledger_import,
    ledger_mapping_save,
    ledger_plan,
    plan_fingerprint,
)

__all__ += [
    "LedgerChangedError",
    "ledger_import",
    "ledger_mapping_save",
    "ledger_plan",
    "plan_fingerprint",
]
