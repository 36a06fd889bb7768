"""RFC 6962 / 9162 Merkle proofs: every index and every pair of sizes up to 33 leaves, and the
known root of the RFC 6962 reference tree."""

from __future__ import annotations

import hashlib

from prasan.exchange import translog

LEAVES = [translog.leaf_hash(f"entry {i}".encode()) for i in range(33)]


def _reference_root(leaves: list[bytes]) -> bytes:
    """MTH straight from the RFC's recursive definition."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return translog.node_hash(_reference_root(leaves[:k]), _reference_root(leaves[k:]))


def test_roots_match_the_rfc_definition_and_the_incremental_frontier() -> None:
    frontier: list[tuple[int, bytes]] = []
    for n in range(34):
        assert translog.root_of(LEAVES[:n]) == _reference_root(LEAVES[:n])
        text = translog.frontier_encode(frontier)
        assert translog._fold(translog.frontier_decode(n, text)) == _reference_root(LEAVES[:n])
        if n < 33:
            frontier = translog._push(frontier, LEAVES[n])


def test_rfc6962_empty_tree_and_known_root() -> None:
    # The Certificate Transparency test vectors: 8 leaves built from these inputs.
    inputs = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
              "606162636465666768696a6b6c6d6e6f"]  # fmt: skip
    leaves = [translog.leaf_hash(bytes.fromhex(x)) for x in inputs]
    assert translog.root_of([]).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert translog.root_of(leaves).hex() == (
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    )


def test_inclusion_proofs_verify_for_every_index_and_fail_when_tampered() -> None:
    for n in range(1, 34):
        root = translog.root_of(LEAVES[:n])
        for i in range(n):
            proof = translog.inclusion_path(i, LEAVES[:n])
            assert translog.verify_inclusion(i, n, LEAVES[i], proof, root)
            assert not translog.verify_inclusion(i, n, LEAVES[(i + 1) % 33], proof, root)
            if proof:
                bad = [proof[0][::-1], *proof[1:]]
                assert not translog.verify_inclusion(i, n, LEAVES[i], bad, root)
            if n > 1:
                assert not translog.verify_inclusion((i + 1) % n, n, LEAVES[i], proof, root) or (
                    LEAVES[i] == LEAVES[(i + 1) % n]
                )


def test_consistency_proofs_verify_for_every_pair_and_fail_for_a_forked_log() -> None:
    forked = list(LEAVES)
    forked[2] = translog.leaf_hash(b"rewritten")
    for n in range(1, 34):
        root_n = translog.root_of(LEAVES[:n])
        for m in range(0, n + 1):
            proof = translog.consistency_path(m, LEAVES[:n]) if 0 < m < n else []
            root_m = translog.root_of(LEAVES[:m])
            assert translog.verify_consistency(m, n, root_m, root_n, proof), (m, n)
            if 2 < m < n:
                fork_root = translog.root_of(forked[:n])
                fork_proof = translog.consistency_path(m, forked[:n])
                assert not translog.verify_consistency(m, n, root_m, fork_root, fork_proof)


def test_the_precomputed_tree_gives_the_rfc_proofs() -> None:
    for n in range(1, 34):
        t = translog.Tree(LEAVES[:n])
        big = translog.Tree(LEAVES)
        assert t.root() == translog.root_of(LEAVES[:n]) == big.root(n)
        for i in range(n):
            assert t.inclusion(i, n) == translog.inclusion_path(i, LEAVES[:n])
            assert big.inclusion(i, n) == translog.inclusion_path(i, LEAVES[:n])
        for m in range(1, n):
            assert big.consistency(m, n) == translog.consistency_path(m, LEAVES[:n]), (m, n)
