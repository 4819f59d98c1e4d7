"""Numba loops behind the ScaledSGD item-item data (the ScaledSGD paper, NeurIPS 2022, Figure 3): CSV parsing and similarity entries.

* :func:`parse_ratings_csv` — the hot loop of reading a MovieLens ``ratings.csv`` (25 million lines);
* :func:`sparse_cosine` — cosine similarities of item columns of a sparse user-item matrix, entry by entry;
* :func:`latent_inner` — entries of WWᵀ for the generated stand-in.

:mod:`riptools.protocols.scaledsgd_data` builds the data from these (riptools keeps numba code in
:mod:`riptools.dynamics`).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def parse_ratings_csv(buffer):
    """Returns (userIds, movieIds, ratings, bad) parsed from the raw bytes of a MovieLens ``ratings.csv``.

    Lines ``userId,movieId,rating,timestamp`` after a header line; the timestamp is skipped. ``bad`` is
    −1, or the byte offset of the first malformed line (then the three arrays are empty).

    Example:
        >>> import numpy as np
        >>> data = np.frombuffer(b"userId,movieId,rating,timestamp\\n1,31,2.5,1260759144\\n", dtype=np.uint8)
        >>> users, movies, ratings, bad = parse_ratings_csv(data)
        >>> users.tolist(), movies.tolist(), ratings.tolist(), bad
        ([1], [31], [2.5], -1)
    """
    n = buffer.shape[0]
    lines = 0
    for t in range(n):
        if buffer[t] == 10:
            lines += 1
    users = np.empty(lines + 1, dtype=np.int64)
    movies = np.empty(lines + 1, dtype=np.int64)
    ratings = np.empty(lines + 1, dtype=np.float64)
    t = 0
    while t < n and buffer[t] != 10:  # header
        t += 1
    t += 1
    count = 0
    bad = -1
    while t < n:
        if buffer[t] == 10 or buffer[t] == 13:
            t += 1
            continue
        line_start = t
        fields = np.zeros(3)
        for f in range(3):
            value = 0.0
            scale = 0.0
            digits = 0
            while t < n and buffer[t] != 44 and buffer[t] != 10 and buffer[t] != 13:
                c = buffer[t]
                if 48 <= c <= 57:
                    digits += 1
                    if scale == 0.0:
                        value = value * 10.0 + (c - 48)
                    else:
                        value += (c - 48) * scale
                        scale *= 0.1
                elif c == 46 and scale == 0.0:
                    scale = 0.1
                else:
                    bad = line_start
                t += 1
            if digits == 0 or t >= n or buffer[t] != 44:
                bad = line_start
                break
            fields[f] = value
            t += 1
        if bad >= 0:
            return users[:0], movies[:0], ratings[:0], bad
        while t < n and buffer[t] != 10:  # the timestamp is not used
            t += 1
        users[count] = int(fields[0])
        movies[count] = int(fields[1])
        ratings[count] = fields[2]
        count += 1
    return users[:count], movies[:count], ratings[:count], -1


@njit(cache=True)
def sparse_cosine(indptr, users, ratings, norms, rows, cols):
    """Returns ⟨u_a, u_b⟩/(‖u_a‖‖u_b‖) for a = rows[t], b = cols[t]: cosines of sparse columns (CSC form).

    Column c holds ``ratings[indptr[c]:indptr[c+1]]`` at the sorted rows ``users[...]``; the dot product
    merges the two sorted lists. A column of norm 0 gives 0.

    Example:
        >>> import numpy as np
        >>> indptr, users = np.array([0, 2, 3]), np.array([0, 1, 1])
        >>> ratings, norms = np.array([3.0, 4.0, 2.0]), np.array([5.0, 2.0])
        >>> sparse_cosine(indptr, users, ratings, norms, np.array([0]), np.array([1])).tolist()
        [0.8]
    """
    out = np.empty(rows.shape[0])
    for t in range(rows.shape[0]):
        a = rows[t]
        b = cols[t]
        p, p_end = indptr[a], indptr[a + 1]
        q, q_end = indptr[b], indptr[b + 1]
        dot = 0.0
        while p < p_end and q < q_end:
            if users[p] == users[q]:
                dot += ratings[p] * ratings[q]
                p += 1
                q += 1
            elif users[p] < users[q]:
                p += 1
            else:
                q += 1
        den = norms[a] * norms[b]
        out[t] = dot / den if den > 0 else 0.0
    return out


@njit(cache=True)
def latent_inner(W, rows, cols):
    """Returns w_aᵀw_b for a = rows[t], b = cols[t]: entries of WWᵀ without forming it.

    Example:
        >>> import numpy as np
        >>> latent_inner(np.array([[1.0, 0.0], [0.6, 0.8]]), np.array([0, 1]), np.array([1, 1])).tolist()
        [0.6, 1.0]
    """
    out = np.empty(rows.shape[0])
    k = W.shape[1]
    for t in range(rows.shape[0]):
        s = 0.0
        for a in range(k):
            s += W[rows[t], a] * W[cols[t], a]
        out[t] = s
    return out
