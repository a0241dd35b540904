"""Grouping reprints of one story: MinHash over word shingles, LSH to find candidates.

Rule: two articles belong to the same story when the estimated Jaccard similarity of
their word 3-shingle sets (normalised words) reaches the threshold (0.5 by default,
configurable per call). Agencies' stories reprinted with a changed headline or an extra
paragraph stay above it; different stories about the same municipality fall far below.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Hashable, Iterable

import numpy as np
from datasketch import MinHash, MinHashLSH

from kent360.media.pipeline.mentions import fold

NUM_PERM = 64
SHINGLE = 3
DEFAULT_THRESHOLD = 0.5
_SEED = 1
_SCHEME = "affine32"
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=_SCHEME).permutations


def shingles(text: str, n: int = SHINGLE) -> set[bytes]:
    words = [w for w in "".join(c if c.isalnum() else " " for c in fold(text)).split() if w]
    if len(words) < n:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + n]).encode() for i in range(len(words) - n + 1)}


def _hash(b: bytes) -> int:
    return struct.unpack("<I", hashlib.blake2b(b, digest_size=4).digest())[0]


def minhash(text: str) -> MinHash:
    """The MinHash signature of ``text`` (empty text → an empty signature)."""
    m = MinHash(
        num_perm=NUM_PERM, seed=_SEED, hashfunc=_hash, permutations=_PERMUTATIONS, scheme=_SCHEME
    )
    sh = shingles(text)
    if sh:
        m.update_batch(list(sh))
    return m


def to_bytes(m: MinHash) -> bytes:
    return np.asarray(m.hashvalues, dtype=np.uint64).tobytes()


def from_bytes(data: bytes) -> MinHash:
    values = np.frombuffer(data, dtype=np.uint64)
    return MinHash(
        num_perm=len(values),
        seed=_SEED,
        hashvalues=values,
        permutations=_PERMUTATIONS,
        scheme=_SCHEME,
    )


class StoryIndex:
    """An in-memory LSH index: ``assign(key, signature)`` returns the key of the story the
    new item joins (the earliest similar item's story) or its own key for a new story."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.signatures: dict[Hashable, MinHash] = {}
        self.story_of: dict[Hashable, Hashable] = {}

    def add(self, key: Hashable, signature: MinHash, story: Hashable) -> None:
        self.lsh.insert(key, signature)
        self.signatures[key] = signature
        self.story_of[key] = story

    def similar(self, signature: MinHash) -> list[tuple[Hashable, float]]:
        out = []
        for key in self.lsh.query(signature):
            j = signature.jaccard(self.signatures[key])
            if j >= self.threshold:
                out.append((key, j))
        out.sort(key=lambda kv: -kv[1])
        return out

    def assign(self, key: Hashable, signature: MinHash) -> Hashable:
        if key in self.signatures:
            return self.story_of[key]
        matches = self.similar(signature) if not _empty(signature) else []
        story = self.story_of[matches[0][0]] if matches else key
        self.add(key, signature, story)
        return story

    def remove(self, key: Hashable) -> None:
        if key in self.signatures:
            self.lsh.remove(key)
            del self.signatures[key]
            del self.story_of[key]


def _empty(m: MinHash) -> bool:
    return bool(np.all(m.hashvalues == np.uint64((1 << 32) - 1)))


def group(
    texts: Iterable[tuple[Hashable, str]], threshold: float = DEFAULT_THRESHOLD
) -> dict[Hashable, Hashable]:
    """Key → story key for a batch of texts, in order."""
    index = StoryIndex(threshold)
    return {key: index.assign(key, minhash(text)) for key, text in texts}
