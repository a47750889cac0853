"""Label-sequence operations in ``keras.ops``: CTC greedy decoding, words, edit distance.

Sequences are batches of int32 label ids, shape ``(batch, length)``. Every
function works inside ``tf.function`` and XLA (static loop bounds come from the
tensors' shapes).
"""

from __future__ import annotations

from typing import Any

from keras import ops

_LARGE = 1 << 30


def compact(tokens: Any, keep: Any) -> tuple[Any, Any]:
    """Moves the kept tokens of each row to the front, in order; the rest become -1.

    Args:
        tokens: int32 ``(batch, length)``.
        keep: bool ``(batch, length)``.

    Returns:
        ``(compacted, lengths)``: int32 ``(batch, length)`` and ``(batch,)``.

    Example:
    >>> import numpy as np
    >>> tokens, lengths = compact(np.array([[0, 5, 0, 6]]), np.array([[0, 1, 0, 1]]) > 0)
    >>> ops.convert_to_numpy(tokens).tolist(), ops.convert_to_numpy(lengths).tolist()
    ([[5, 6, -1, -1]], [2])
    """
    tokens = ops.cast(tokens, "int32")
    length = ops.shape(tokens)[1]
    positions = ops.arange(length, dtype="int32")
    order = ops.argsort(ops.where(keep, positions, positions + length), axis=1)
    moved = ops.take_along_axis(tokens, order, axis=1)
    lengths = ops.sum(ops.cast(keep, "int32"), axis=1)
    valid = ops.expand_dims(positions, 0) < ops.expand_dims(lengths, 1)
    return ops.where(valid, moved, ops.full_like(moved, -1)), lengths


def labels(sequences: Any, mask_index: int) -> tuple[Any, Any]:
    """Label ids of padded sequences: drops ``mask_index`` and negative ids.

    Args:
        sequences: int ``(batch, length)`` label ids padded with ``mask_index``
            (the Keras CTC convention) or with negative values.
        mask_index: the padding (and CTC blank) id.

    Returns:
        ``(tokens, lengths)`` as :func:`compact`.

    Example:
    >>> import numpy as np
    >>> tokens, lengths = labels(np.array([[3, 4, 0, 0]]), mask_index=0)
    >>> ops.convert_to_numpy(lengths).tolist()
    [2]
    """
    sequences = ops.cast(sequences, "int32")
    return compact(sequences, ops.logical_and(sequences != mask_index, sequences >= 0))


def greedy_ctc(probabilities: Any, blank_index: int) -> tuple[Any, Any]:
    """Best-path CTC decoding: arg-max per step, merge repeats, drop blanks.

    Args:
        probabilities: float ``(batch, steps, classes)`` (probabilities or logits).
        blank_index: the CTC blank class.

    Returns:
        ``(tokens, lengths)`` as :func:`compact`.

    Example:
    >>> import numpy as np
    >>> steps = np.eye(3)[[[1, 1, 0, 1, 2, 2]]]  # one-hot: 1 1 _ 1 2 2
    >>> tokens, lengths = greedy_ctc(steps, blank_index=0)
    >>> ops.convert_to_numpy(tokens)[0, :3].tolist()
    [1, 1, 2]
    """
    best = ops.cast(ops.argmax(probabilities, axis=-1), "int32")
    previous = ops.concatenate([ops.full_like(best[:, :1], -1), best[:, :-1]], axis=1)
    return compact(best, ops.logical_and(best != blank_index, best != previous))


def words(tokens: Any, lengths: Any, separator_index: int, width: Any) -> tuple[Any, Any]:
    """Splits compacted sequences into words on ``separator_index``.

    Args:
        tokens: int32 ``(batch, length)`` from :func:`compact`.
        lengths: int32 ``(batch,)``.
        separator_index: the id of the word separator (a space).
        width: the longest word that can occur (at least ``length``).

    Returns:
        ``(matrix, counts)``: int32 ``(batch, length, width)`` holding each word's
        ids plus one (0 pads), and the number of words per row.

    Example:
    >>> import numpy as np
    >>> tokens, lengths = compact(np.array([[7, 9, 9, 8]]), np.ones((1, 4)) > 0)
    >>> matrix, counts = words(tokens, lengths, separator_index=9, width=4)
    >>> ops.convert_to_numpy(matrix)[0, :2].tolist(), ops.convert_to_numpy(counts).tolist()
    ([[8, 0, 0, 0], [9, 0, 0, 0]], [2])
    """
    shape = ops.shape(tokens)
    batch, length = shape[0], shape[1]
    positions = ops.arange(length, dtype="int32")
    valid = ops.expand_dims(positions, 0) < ops.expand_dims(lengths, 1)
    is_char = ops.logical_and(valid, tokens != separator_index)
    before = ops.concatenate([ops.zeros_like(is_char[:, :1]), is_char[:, :-1]], axis=1)
    starts = ops.logical_and(is_char, ops.logical_not(before))
    word_index = ops.cumsum(ops.cast(starts, "int32"), axis=1) - 1
    # Start of the word containing each position: the last start at or before it.
    earlier = ops.expand_dims(positions, 1) >= ops.expand_dims(positions, 0)
    candidates = ops.where(
        ops.logical_and(ops.expand_dims(earlier, 0), ops.expand_dims(starts, 1)),
        positions,
        -1,
    )
    offset = positions - ops.max(candidates, axis=-1)
    rows = ops.broadcast_to(ops.expand_dims(ops.arange(batch, dtype="int32"), 1), (batch, length))
    zeros = ops.zeros_like(tokens)
    indices = ops.stack(
        [rows, ops.where(is_char, word_index, zeros), ops.where(is_char, offset, zeros)], axis=-1
    )
    values = ops.where(is_char, tokens + 1, zeros)
    matrix = ops.scatter(
        ops.reshape(indices, (-1, 3)), ops.reshape(values, (-1,)), (batch, length, width)
    )
    return matrix, ops.sum(ops.cast(starts, "int32"), axis=1)


def levenshtein(different: Any, reference_lengths: Any, hypothesis_lengths: Any) -> Any:
    """Edit distances from a substitution matrix, by dynamic programming.

    Each step of the loop handles one hypothesis item for the whole batch; the
    in-row insertion chain is a running minimum, so every step is vectorised.

    Args:
        different: bool ``(batch, reference_length, hypothesis_length)``: True
            where reference item i and hypothesis item j differ.
        reference_lengths: int32 ``(batch,)``: items of each reference.
        hypothesis_lengths: int32 ``(batch,)``: items of each hypothesis.

    Returns:
        int32 ``(batch,)`` distances.

    Example:
    >>> import numpy as np
    >>> reference, hypothesis = np.array([[1, 2, 3]]), np.array([[1, 3, 0]])
    >>> different = reference[:, :, None] != hypothesis[:, None, :]
    >>> distance = levenshtein(different, np.array([3]), np.array([2]))
    >>> ops.convert_to_numpy(distance).tolist()
    [1]
    """
    cost = ops.cast(different, "int32")
    shape = ops.shape(cost)
    columns = ops.arange(shape[1] + 1, dtype="int32")
    earlier = ops.expand_dims(ops.expand_dims(columns, 1) >= ops.expand_dims(columns, 0), 0)
    first = ops.broadcast_to(ops.expand_dims(columns, 0), (shape[0], shape[1] + 1))

    def step(j: Any, row: Any) -> Any:
        substitute = row[:, :-1] + ops.take(cost, j, axis=2)
        delete = row[:, 1:] + 1
        start = ops.full_like(row[:, :1], 1) * (j + 1)
        candidate = ops.concatenate([start, ops.minimum(substitute, delete)], axis=1)
        # Insertions chain along the row: new[k] = min over m <= k of candidate[m] + k - m.
        shifted = ops.expand_dims(candidate - columns, 1)
        running = ops.min(ops.where(earlier, shifted, _LARGE), axis=-1) + columns
        active = ops.expand_dims(j < hypothesis_lengths, 1)
        return ops.where(active, running, row)

    final = ops.fori_loop(0, shape[2], step, first)
    return ops.take_along_axis(final, ops.expand_dims(reference_lengths, 1), axis=1)[:, 0]
