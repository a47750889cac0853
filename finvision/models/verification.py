"""``SiameseVerifier``: unit-norm embeddings for signature and face verification."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from finvision._validation import check_choice, check_fraction, check_positive_int
from finvision.losses.arcface import ArcFaceHead
from finvision.models._pooled_head import pooled, pooling_layers
from finvision.models.task import Task
from finvision.models.task_checks import check_feature_backbone


@keras.saving.register_keras_serializable(package="finvision")
class SiameseVerifier(Task):
    """Maps images to L2-normalised embeddings; compares two images by cosine.

    One network embeds both images of a pair (hence "Siamese"): the backbone's
    final feature map is pooled, optionally dropped out, and projected by a
    dense layer to ``embedding_dim`` values, which are divided by their L2 norm.
    The projection and normalisation compute in ``head_dtype`` (float32 by
    default), so embeddings stay float32 under a mixed-precision policy. Works
    for any channel count the backbone takes: 1 for signatures, 3 for faces.

    Train it with a metric-learning loss on identity labels, ``fit(images,
    writer_ids)`` with :class:`~finvision.losses.TripletLoss` or
    :class:`~finvision.losses.ContrastiveLoss` (batches need several images per
    identity), or with ArcFace through :meth:`with_arcface_head`. Compare with
    :meth:`score`.

    Args:
        backbone: a :class:`~finvision.models.Backbone` (or any ``keras.Model``
            whose output is a feature map ``(N, H, W, C)`` or a vector).
        embedding_dim: the length of the embeddings.
        pooling: ``"avg"`` or ``"max"`` global pooling of a feature map.
        dropout: dropout rate before the projection, in [0, 1).
        head_dtype: dtype policy of the projection and normalisation.
        **kwargs: standard model arguments (``name``, ``trainable``).

    Raises:
        TypeError: if ``backbone`` is not a ``keras.Model``.
        ValueError: for a backbone that outputs pyramid levels
            (``features_only=True``), or a bad ``embedding_dim``, ``pooling`` or
            ``dropout``.

    Example:
    >>> import numpy as np
    >>> from finvision.models import create_backbone
    >>> backbone = create_backbone("resnet18", input_shape=(32, 64, 1))  # signatures
    >>> verifier = SiameseVerifier(backbone, embedding_dim=16)
    >>> embeddings = verifier.predict(np.zeros((2, 32, 64, 1), "uint8"), verbose=0)
    >>> embeddings.shape, np.linalg.norm(embeddings, axis=1).round(4).tolist()
    ((2, 16), [1.0, 1.0])
    """

    def __init__(
        self,
        backbone: keras.Model,
        embedding_dim: int = 128,
        *,
        pooling: str = "avg",
        dropout: float = 0.0,
        head_dtype: str | keras.DTypePolicy = "float32",
        **kwargs: Any,
    ) -> None:
        check_feature_backbone(backbone, type(self).__name__)
        embedding_dim = check_positive_int("embedding_dim", embedding_dim)
        check_choice("pooling", pooling, ("avg", "max"))
        dropout = check_fraction("dropout", dropout, "[0, 1)")

        # === Layers ===
        self.backbone = backbone
        self.pooler, self.head_dropout = pooling_layers(pooling, dropout, backbone.dtype_policy)
        self.projection = keras.layers.Dense(embedding_dim, dtype=head_dtype, name="projection")
        self.normalization = keras.layers.UnitNormalization(dtype=head_dtype, name="embedding")

        # === Functional model ===
        images = keras.Input(shape=backbone.input_shape[1:], name="images")
        features = pooled(backbone(images), self.pooler, self.head_dropout)
        embeddings = self.normalization(self.projection(features))
        super().__init__(inputs=images, outputs=embeddings, **kwargs)

        # === Config ===
        self.embedding_dim = embedding_dim
        self.pooling = pooling
        self.dropout = dropout
        self.head_dtype = keras.dtype_policies.get(head_dtype).name

    def score(self, images_a: Any, images_b: Any, *, batch_size: int = 32) -> np.ndarray:
        """Cosine similarity of the embeddings of each pair of images.

        The score lies in [-1, 1]; higher means more likely the same person or
        writer (1: identical embeddings). It is symmetric, ``score(a, b) ==
        score(b, a)``, and equals the dot product of the two unit-norm
        embeddings, so a threshold on it follows the
        :mod:`finvision.metrics` convention (accept when ``score >=
        threshold``). One side may hold a single image, compared with every
        image of the other (one enrolled signature against many cheques).

        Args:
            images_a: a batch of images ``(N, H, W, C)``, raw pixels in [0, 255].
            images_b: a batch of the same size, or of one image.
            batch_size: images per inference batch.

        Returns:
            A float32 array ``(N,)`` of scores.

        Raises:
            ValueError: if the batches are not 4-D, empty, or their sizes
                differ and neither is 1, or ``batch_size`` is below 1.

        Example:
        >>> import numpy as np
        >>> from finvision.models import create_backbone
        >>> verifier = SiameseVerifier(create_backbone("resnet18", input_shape=(32, 32, 3)), 8)
        >>> faces = np.random.default_rng(0).integers(0, 256, (3, 32, 32, 3), dtype="uint8")
        >>> verifier.score(faces, faces).round(4).tolist()  # each face with itself
        [1.0, 1.0, 1.0]
        """
        batch_size = check_positive_int("batch_size", batch_size)
        shapes = (np.shape(images_a), np.shape(images_b))
        if any(len(shape) != 4 for shape in shapes):
            raise ValueError(
                "`images_a` and `images_b` must be batches of images (N, H, W, C); received "
                f"shapes {shapes[0]} and {shapes[1]}."
            )
        sizes = (shapes[0][0], shapes[1][0])
        if 0 in sizes:
            raise ValueError(
                "`images_a` and `images_b` must hold at least one image each; received "
                f"{sizes[0]} and {sizes[1]}."
            )
        if sizes[0] != sizes[1] and 1 not in sizes:
            raise ValueError(
                "`images_a` and `images_b` must hold as many images, or one of them a single "
                f"image; received {sizes[0]} and {sizes[1]}."
            )
        embeddings_a = self.predict(images_a, batch_size=batch_size, verbose=0)
        embeddings_b = self.predict(images_b, batch_size=batch_size, verbose=0)
        return np.sum(embeddings_a * embeddings_b, axis=1, dtype="float32")

    def with_arcface_head(self, num_classes: int, *, name: str | None = None) -> keras.Model:
        """A training model: this verifier followed by an :class:`~finvision.losses.ArcFaceHead`.

        The returned functional model maps images to their cosine with each of
        ``num_classes`` class centres, ``(N, num_classes)`` float32; train it
        with :class:`~finvision.losses.ArcFaceLoss` on class indices. It shares
        this verifier's layers, so training it trains the verifier; afterwards
        save the verifier (``save_preset``) and drop the head, whose centres
        describe the training identities only. The training model itself
        saves and reloads from ``.keras`` (centres included) to resume training.

        Args:
            num_classes: the number of training identities, >= 2.
            name: the model's name; defaults to ``"<verifier name>_arcface"``.

        Returns:
            A ``keras.Model``.

        Example:
        >>> from finvision.losses import ArcFaceLoss
        >>> from finvision.models import create_backbone
        >>> verifier = SiameseVerifier(create_backbone("resnet18", input_shape=(32, 32, 3)), 8)
        >>> trainer = verifier.with_arcface_head(num_classes=5)
        >>> trainer.compile(optimizer="adam", loss=ArcFaceLoss(scale=16.0))
        >>> trainer.output_shape
        (None, 5)
        """
        images = keras.Input(shape=self.input_shape[1:], name="images")
        head = ArcFaceHead(num_classes, name="arcface_centres")
        return keras.Model(images, head(self(images)), name=name or f"{self.name}_arcface")

    def serving_outputs(self, images: Any) -> dict[str, Any]:
        """The exported output: unit-norm ``embeddings`` ``(N, embedding_dim)``.

        A served verifier embeds one image per request; compare two
        embeddings by their dot product, as :meth:`score` does (an enrolled
        signature's embedding is stored once, each cheque's is served).

        Args:
            images: float32 raw pixels ``(N, H, W, C)``.

        Returns:
            ``{"embeddings": ...}``.

        Example:
        >>> from finvision.models import create_backbone
        >>> verifier = SiameseVerifier(create_backbone("resnet18", input_shape=(32, 32, 1)), 8)
        >>> tuple(verifier.serving_outputs(np.zeros((2, 32, 32, 1), "float32"))["embeddings"].shape)
        (2, 8)
        """
        return {"embeddings": self(images, training=False)}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "embedding_dim": self.embedding_dim,
            "pooling": self.pooling,
            "dropout": self.dropout,
            "head_dtype": self.head_dtype,
        }
