"""Longest-common-subsequence kernels for ROUGE-L, ROUGE-Lsum and ROUGE-W.

The LCS length uses the bit-parallel algorithm of Allison & Dix (1986) in the form of
Crochemore et al. (2001): one machine-word-wide pass per reference token over Python big ints.

ROUGE-Lsum (summary-level LCS, Lin 2004 section 3.2) needs more than the length: for each reference
sentence, the union over candidate sentences of the reference positions on *one particular* LCS, the
one that ROUGE-1.5.5's ``markLCS`` (and rouge-score's ``_backtrack_norec``) reads out of the DP table
(diagonal on a match, otherwise left only when the left cell is strictly larger, else up). We recover
exactly that path without building the quadratic table:

* all candidate sentences are laid side by side in one bit vector, separated by guard bits that stop
  the carries, so one pass per reference token computes the LCS rows against every candidate sentence;
* per row ``i`` we keep ``D_i(j) = c[i][j] - c[i-1][j]``: a bit mask of intervals ``[p, q)`` that are
  exactly the carry chains of the row update shifted down one bit;
* walking back, the path at column ``j`` of row ``i`` takes the row (a hit) iff token ``i`` matches at
  ``j`` or ``D_i(j) = 1``, and then lands on the nearest match at or left of ``j``; otherwise it goes up.
  The "nearest match to the left" is a ``bit_length`` per sentence when there are few candidate
  sentences, else one addition for all of them at once in bit-reversed order.

ROUGE-W (weighted LCS) keeps the plain quadratic DP of ROUGE-1.5.5 (floats compared as it does).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

_REV8 = bytes(int(f"{b:08b}"[::-1], 2) for b in range(256))


def _reverse_bits(x: int, nbytes: int) -> int:
    """Reverse the order of the ``8 * nbytes`` low bits of ``x``."""
    return int.from_bytes(x.to_bytes(nbytes, "big").translate(_REV8), "little")


def lcs_length(ref: Sequence[Hashable], cand: Sequence[Hashable]) -> int:
    """Length of the longest common subsequence of two token sequences (bit-parallel).

    Args:
        ref: Reference tokens.
        cand: Candidate tokens.

    Returns:
        The LCS length.

    Example:
        >>> lcs_length("a b c d".split(), "a c x d".split())
        3
    """
    n = len(cand)
    if not n or not ref:
        return 0
    masks: dict[Hashable, int] = {}
    for j, tok in enumerate(cand):
        masks[tok] = masks.get(tok, 0) | (1 << j)
    full = (1 << n) - 1
    v = full
    get = masks.get
    for tok in ref:
        m = get(tok)
        if m:
            u = v & m
            v = ((v + u) | (v - u)) & full
    return n - v.bit_count()


def _backtrack(start: int, rows: Sequence[tuple[Hashable, int, int]], add: Callable[[Hashable], None]) -> None:
    """Walk the LCS path back over ``rows`` (``(key, match mask M, D | M)`` per reference token, in order) in
    forward bit order, from the last column of every candidate sentence (``start``), and ``add`` the key of
    each row the path takes (last row first): the backtrack of :meth:`SummaryLCS.positions` and
    :meth:`SummaryLCS.hits_and_lcs` with few candidate sentences.
    """
    p = start  # guard bits that land in p never meet a D or M bit: no masking needed
    for key, m, dm in reversed(rows):
        a = p & dm
        if a:
            add(key)
            p ^= a
            if a & (a - 1):
                while a:
                    top = a.bit_length() - 1
                    a ^= 1 << top
                    # highest match bit at or below ``top`` (same sentence), one column left
                    p |= 1 << ((m & ((2 << top) - 1)).bit_length() - 2)
            else:
                p |= 1 << ((m & ((a << 1) - 1)).bit_length() - 2)


class SummaryLCS:
    """Candidate sentences laid out once as bit vectors, to be matched against many references.

    Args:
        cand_sents: Tokenised candidate sentences.

    Example:
        >>> SummaryLCS([["w1", "w2", "w6", "w7", "w8"], ["w1", "w3", "w8", "w9", "w5"]]).positions(
        ...     [["w1", "w2", "w3", "w4", "w5"]])
        [[0, 1, 2, 4]]
    """

    __slots__ = ("_masks", "_cols", "_start", "_nseg", "_width", "_rstate")

    # With at most this many candidate sentences the backtrack moves each one separately in forward
    # bit order; above it, all at once in bit-reversed order (one reversal per row).
    FORWARD_MAX_SENTENCES = 4

    def __init__(self, cand_sents: Sequence[Sequence[Hashable]]) -> None:
        # Layout: bit 0 is a guard; each non-empty sentence takes one bit per token, then a guard.
        masks: dict[Hashable, int] = {}
        get = masks.get
        guards = 1
        start_cols = 0  # the last column of every sentence: where each backtrack starts
        bit = 2
        nseg = 0
        for sent in cand_sents:
            if not sent:
                continue
            nseg += 1
            for tok in sent:
                m = get(tok)
                masks[tok] = bit if m is None else m | bit
                bit <<= 1
            start_cols |= bit >> 1
            guards |= bit
            bit <<= 1
        pos = bit.bit_length() - 1
        self._masks = masks
        self._width = pos
        self._nseg = nseg
        self._start = start_cols
        self._cols = ((1 << pos) - 1) & ~guards
        self._rstate: tuple[int, int, int, int, dict[int, tuple[int, int]]] | None = None  # rev_cache: by mask

    @property
    def masks(self) -> dict[Hashable, int]:
        """Token -> bit mask of its columns (``mask.bit_count()`` is its count in the candidate)."""
        return self._masks

    def _reversed_state(self) -> tuple[int, int, int, int, dict[int, tuple[int, int]]]:
        """For the bit-reversed backtrack, built on first use: bytes per row, all ones over those bytes, the
        columns and the backtrack starts bit-reversed, and the cache of reversed match masks (by mask)."""
        if self._rstate is None:
            nbytes = (self._width + 7) // 8
            self._rstate = (nbytes, (1 << (nbytes * 8)) - 1, _reverse_bits(self._cols, nbytes),
                            _reverse_bits(self._start, nbytes), {})  # fmt: skip
        return self._rstate

    def lcs_length(self, ref: Sequence[Hashable]) -> int:
        """LCS length of ``ref`` and the concatenation of the candidate sentences.

        The guard bits are columns that never match, which leaves the LCS length unchanged.

        Example:
            >>> SummaryLCS([["a", "c"], ["x", "d"]]).lcs_length("a b c d".split())
            3
        """
        full = v = (1 << self._width) - 1
        for m in filter(None, map(self._masks.get, ref)):
            u = v & m
            v = ((v + u) | (v - u)) & full
        return self._width - v.bit_count()

    def positions(self, ref_sents: Sequence[Sequence[Hashable]], *, reversed_order: bool | None = None) -> list[list[int]]:
        """Ascending union-LCS positions of each reference sentence (see the module doc).

        Args:
            ref_sents: Tokenised reference sentences.
            reversed_order: Force the backtrack strategy (tests); by default chosen by sentence count.
        """
        out: list[list[int]] = [[] for _ in ref_sents]
        masks = self._masks
        if not masks:
            return out
        if reversed_order is None:
            reversed_order = self._nseg > self.FORWARD_MAX_SENTENCES
        get = masks.get
        cols = self._cols
        if reversed_order:
            nbytes, full, cols_r, start_r, rev_cache = self._reversed_state()
            from_bytes, to_bytes = int.from_bytes, int.to_bytes
        start = self._start
        for s_idx, ref in enumerate(ref_sents):
            rows: list[tuple[int, int, int]] = []  # (position, match mask M, D | M) of rows that can match
            v = cols
            for i, tok in enumerate(ref):
                m = get(tok)
                if not m:
                    continue
                u = v & m
                w = v ^ u
                t = v + u
                # carries run exactly over (p, q] where the row-difference interval D is [p, q)
                rows.append((i, m, ((t ^ w) >> 1) | m))
                v = (t | w) & cols
            if not rows:
                continue
            hits: list[int] = []
            if reversed_order:
                p = start_r
                for i, m, dm in reversed(rows):
                    a = p & from_bytes(to_bytes(dm, nbytes, "big").translate(_REV8), "little")
                    if not a:
                        continue
                    hits.append(i)
                    mr = rev_cache.get(m)
                    if mr is None:
                        m_r = _reverse_bits(m, nbytes)
                        mr = rev_cache[m] = (m_r, full ^ m_r)
                    # nearest match at or left of each position: one carry per sentence
                    p = (p & ~a) | ((((mr[1] + a) & mr[0]) << 1) & cols_r)
                    if not p:
                        break
            else:
                _backtrack(start, rows, hits.append)
            hits.reverse()
            out[s_idx] = hits
        return out


    def hit_tokens(self, ref_sents: Sequence[Sequence[Hashable]]) -> list[Hashable]:
        """The reference tokens at the union-LCS positions of all sentences, in no particular order.

        Example:
            >>> sorted(SummaryLCS([["a", "b"], ["x"]]).hit_tokens([["a", "c", "b", "x", "a"]]))
            ['a', 'b', 'x']
        """
        token_of = {m: t for t, m in self._masks.items()}
        return [token_of[m] for m in self.hits_and_lcs(ref_sents)[0]]

    def hits_and_lcs(self, ref_sents: Sequence[Sequence[Hashable]]) -> tuple[list[int], int]:
        """Union-LCS hits of all reference sentences and the LCS of the concatenated texts, in one pass.

        A hit is reported as the candidate match mask of its token (one mask per distinct token, so
        ``mask.bit_count()`` is the token's count in the candidate): that is all ROUGE-Lsum's clipping
        needs.

        Returns:
            (hit masks in no particular order, LCS length of the concatenated sentences).

        Example:
            >>> layout = SummaryLCS([["a", "b"], ["x"]])
            >>> hits, lcs = layout.hits_and_lcs([["a", "x"], ["b"]])
            >>> sorted(m.bit_count() for m in hits), lcs
            ([1, 1, 1], 2)
        """
        masks = self._masks
        if not masks:
            return [], 0
        if self._nseg > self.FORWARD_MAX_SENTENCES:
            return self._hits_and_lcs_reversed(ref_sents)
        get = masks.get
        cols = self._cols
        start = self._start
        full = vl = (1 << self._width) - 1
        hits: list[int] = []
        add = hits.append
        for ref in ref_sents:
            rows = []
            v = cols
            for m in filter(None, map(get, ref)):  # reference tokens that occur in the candidate
                u = vl & m  # sentence-level LCS of the whole texts (rougeL) ...
                vl = ((vl + u) | (vl - u)) & full
                u = v & m  # ... and the rows of this sentence against every candidate sentence
                w = v ^ u
                t = v + u
                rows.append((m, m, ((t ^ w) >> 1) | m))
                v = (t | w) & cols
            _backtrack(start, rows, add)
        return hits, self._width - vl.bit_count()

    def _hits_and_lcs_reversed(self, ref_sents: Sequence[Sequence[Hashable]]) -> tuple[list[int], int]:
        # As positions(reversed_order=True), plus the whole-text LCS, with the D|M rows of a sentence
        # bit-reversed by one bytes.translate (each row: big-endian bytes, read back little-endian).
        masks = self._masks
        get = masks.get
        cols = self._cols
        nbytes, full, _cols_r, start_r, rev_cache = self._reversed_state()
        from_bytes, to_bytes = int.from_bytes, int.to_bytes
        wide = vl = (1 << self._width) - 1
        hits: list[int] = []
        add = hits.append
        for ref in ref_sents:
            row_masks: list[int] = []
            chunks: list[bytes] = []
            v = cols
            for m in filter(None, map(get, ref)):
                u = vl & m
                vl = ((vl + u) | (vl - u)) & wide
                u = v & m
                w = v ^ u
                t = v + u
                row_masks.append(m)
                chunks.append(to_bytes(((t ^ w) >> 1) | m, nbytes, "big"))
                v = (t | w) & cols
            if not row_masks:
                continue
            buf = b"".join(chunks).translate(_REV8)
            p = start_r  # guard bits that land in p never meet a D or M bit: no masking needed
            end = len(buf)
            for m in reversed(row_masks):
                a = p & from_bytes(buf[end - nbytes : end], "little")
                end -= nbytes
                if a:
                    add(m)
                    mr = rev_cache.get(m)
                    if mr is None:
                        m_r = _reverse_bits(m, nbytes)
                        mr = rev_cache[m] = (m_r, full ^ m_r)
                    # nearest match at or left of each position: one carry per sentence
                    p = (p ^ a) | (((mr[1] + a) & mr[0]) << 1)
        return hits, self._width - vl.bit_count()


def union_lcs_positions(
    ref_sents: Sequence[Sequence[Hashable]], cand_sents: Sequence[Sequence[Hashable]]
) -> list[list[int]]:
    """Union-LCS positions of each reference sentence against all candidate sentences.

    For reference sentence ``r`` the result lists (ascending) the positions of ``r`` that lie on the
    LCS read out, as ROUGE-1.5.5 and rouge-score do, against at least one candidate sentence.

    Args:
        ref_sents: Tokenised reference sentences.
        cand_sents: Tokenised candidate sentences.

    Returns:
        One ascending list of positions per reference sentence.

    Example:
        >>> union_lcs_positions([["w1", "w2", "w3", "w4", "w5"]], [["w1", "w2", "w6", "w7", "w8"],
        ...                      ["w1", "w3", "w8", "w9", "w5"]])
        [[0, 1, 2, 4]]
    """
    return SummaryLCS(cand_sents).positions(ref_sents)


class CandidateMasks:
    """Match masks of one candidate sequence, reusable for LCS lengths against many references.

    Example:
        >>> CandidateMasks("a c x d".split()).lcs_length("a b c d".split())
        3
    """

    __slots__ = ("_masks", "_n", "_full")

    def __init__(self, cand: Sequence[Hashable]) -> None:
        masks: dict[Hashable, int] = {}
        for j, tok in enumerate(cand):
            masks[tok] = masks.get(tok, 0) | (1 << j)
        self._masks = masks
        self._n = len(cand)
        self._full = (1 << self._n) - 1

    def lcs_length(self, ref: Sequence[Hashable]) -> int:
        """LCS length of ``ref`` and the candidate."""
        full = v = self._full
        get = self._masks.get
        for tok in ref:
            m = get(tok)
            if m:
                u = v & m
                v = ((v + u) | (v - u)) & full
        return self._n - v.bit_count()


def lcs_positions_reference(ref: Sequence[Hashable], cand: Sequence[Hashable]) -> list[int]:
    """Reference positions on the LCS that ROUGE-1.5.5's ``markLCS`` reads out (quadratic DP).

    Slow and simple; used by ROUGE-W and as the test oracle of :func:`union_lcs_positions`.

    Example:
        >>> lcs_positions_reference("a b a".split(), "a a".split())
        [0, 2]
    """
    m, n = len(ref), len(cand)
    c = [[0] * (n + 1) for _ in range(m + 1)]
    for i in range(1, m + 1):
        ri = ref[i - 1]
        row, prev = c[i], c[i - 1]
        for j in range(1, n + 1):
            if ri == cand[j - 1]:
                row[j] = prev[j - 1] + 1
            elif prev[j] >= row[j - 1]:
                row[j] = prev[j]
            else:
                row[j] = row[j - 1]
    hits: list[int] = []
    i, j = m, n
    while i and j:
        if ref[i - 1] == cand[j - 1]:
            i -= 1
            j -= 1
            hits.append(i)
        elif c[i - 1][j] >= c[i][j - 1]:
            i -= 1
        else:
            j -= 1
    hits.reverse()
    return hits


def wlcs_hit_mask(ref: Sequence[Hashable], cand: Sequence[Hashable], weight: float, mask: list[int]) -> None:
    """Mark in ``mask`` the reference positions on ROUGE-1.5.5's weighted-LCS path (its ``wlcs_inner``).

    The DP values are floats built as ``c + (k+1)**w - k**w`` and compared with ``>=`` exactly as the
    Perl script does, so ties break the same way.
    """
    m, n = len(ref), len(cand)
    if not m:
        return
    c = [[0.0] * (n + 1) for _ in range(m + 1)]
    run = [[0] * (n + 1) for _ in range(m + 1)]
    move = [[0] * (n + 1) for _ in range(m + 1)]  # 1 diagonal, 2 up, 3 left
    for i in range(1, m + 1):
        ri = ref[i - 1]
        row, prev, lrow, lprev, brow = c[i], c[i - 1], run[i], run[i - 1], move[i]
        for j in range(1, n + 1):
            if ri == cand[j - 1]:
                k = lprev[j - 1]
                row[j] = prev[j - 1] + (k + 1) ** weight - k**weight
                brow[j] = 1
                lrow[j] = k + 1
            elif prev[j] >= row[j - 1]:
                row[j] = prev[j]
                brow[j] = 2
            else:
                row[j] = row[j - 1]
                brow[j] = 3
    i, j = m, n
    while i and j:
        b = move[i][j]
        if b == 1:
            i -= 1
            j -= 1
            mask[i] = 1
        elif b == 2:
            i -= 1
        else:
            j -= 1
