"""Save and load the churn model with the metadata needed to trust it later.

The joblib file holds the fitted estimator; a JSON file beside it holds the metadata
(when and on what it was trained, library versions, features, the held-out report) so
``csbot model report`` and a reviewer can read it without unpickling anything. Both
are written to a temporary name and renamed, so a crash never leaves half a model.
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

from scoring.churn_model import ChurnModel

MODEL_FILENAME = "churn_model.joblib"
METADATA_FILENAME = "churn_model.json"


class ModelArtifactError(RuntimeError):
    """The saved model is missing, unreadable, or was made by other code or config."""


def save_churn_model(model: ChurnModel, models_dir: Path, *, extra: dict[str, Any]) -> Path:
    """Write the model and its metadata; returns the joblib path."""
    import joblib
    import sklearn

    models_dir.mkdir(parents=True, exist_ok=True)
    metadata = {
        **model.metadata,
        **extra,
        "config_version": model.config_version,
        "feature_columns": list(model.feature_columns),
        "sklearn_version": sklearn.__version__,
        "python_version": platform.python_version(),
    }
    model_path = models_dir / MODEL_FILENAME
    temporary = model_path.with_suffix(".joblib.tmp")
    joblib.dump(
        ChurnModel(
            model.estimator,
            model.config_version,
            model.feature_columns,
            metadata,
            model.source,
            model.health_calibration,
        ),
        temporary,
    )
    os.replace(temporary, model_path)
    metadata_path = models_dir / METADATA_FILENAME
    temporary_json = metadata_path.with_suffix(".json.tmp")
    temporary_json.write_text(json.dumps(metadata, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(temporary_json, metadata_path)
    return model_path


def read_model_metadata(models_dir: Path) -> dict[str, Any] | None:
    """The saved metadata, or None when no model has been trained."""
    path = models_dir / METADATA_FILENAME
    if not path.exists():
        return None
    try:
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelArtifactError(f"{path}: unreadable model metadata: {exc}") from None
    return loaded


def load_churn_model(models_dir: Path, *, config_version: str) -> ChurnModel | None:
    """The saved model, or None when none exists.

    Raises:
        ModelArtifactError: when the file is unreadable or was trained with another
            scikit-learn version or health config version (retrain instead of guessing).
    """
    import joblib
    import sklearn

    path = models_dir / MODEL_FILENAME
    if not path.exists():
        return None
    try:
        model = joblib.load(path)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means "retrain"
        raise ModelArtifactError(f"{path}: cannot load churn model: {exc}") from None
    if not isinstance(model, ChurnModel):
        raise ModelArtifactError(f"{path}: not a csbot churn model")
    saved_sklearn = model.metadata.get("sklearn_version")
    if saved_sklearn != sklearn.__version__:
        raise ModelArtifactError(
            f"{path}: trained with scikit-learn {saved_sklearn}, running {sklearn.__version__}"
        )
    if model.config_version != config_version:
        raise ModelArtifactError(
            f"{path}: trained for health config {model.config_version}, running {config_version}"
        )
    return model
