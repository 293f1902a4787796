# The independent client's primitives against docs/protocol.md's test vectors: the key files,
# a record byte for byte, a sealed key, a ciphertext, Merkle proofs and a checkpoint, all
# computed by ticsx_py (not the C code). Run by tests/interop/run_interop.py before the hub part.
import base64
import re

import nacl.bindings as sodium

import ticsx_py as tx


def read_vectors(path):
    """Every ```vector NAME block as (NAME, {key: [values]}): hex lines as bytes, text as str."""
    out = []
    for name, body in re.findall(r"```vector (\w+)\n(.*?)```", open(path).read(), re.S):
        block = {}
        for line in body.splitlines():
            m = re.match(r"(\w+)(: | = )(.*)$", line)
            value = bytes.fromhex(m[3]) if m[2] == ": " else m[3]
            block.setdefault(m[1], []).append(value)
        out.append((name, block))
    return out


def mth(leaves):
    """§7.1: the Merkle tree hash of leaf hashes, split at the largest power of two below n."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return tx.node(mth(leaves[:k]), mth(leaves[k:]))


def check_vectors(path):
    def b(block, key):
        return b"".join(block[key])

    def t(block, key):
        return block[key][0]

    checked = []
    for name, v in read_vectors(path):
        if name == "key":
            ident = tx.Identity(t(v, "name"), b(v, "sign_seed"), b(v, "seal_sk"), b(v, "curve_sk"))
            files = ident.files()
            assert ident.sign_pk == b(v, "sign_pk") and ident.curve_pk == b(v, "curve_pk")
            assert ident.key_id() == b(v, "key_id") and ident.fingerprint() == t(v, "fingerprint")
            for key, file in (("identity_key", "identity.key"), ("identity_pub", "identity.pub"),
                              ("identity_ed25519_pub", "identity_ed25519.pub")):
                assert files[file][1] == "".join(line + "\n" for line in v[key]), file
        elif name == "record":
            ident = tx.Identity("x", b(v, "signer_seed"), bytes(32), bytes(32))
            meta = tx.f_uint(1, int(t(v, "seq"))) + tx.f_uint(2, int(t(v, "created")))
            payload = (tx.f_msg(1, meta)
                       + tx.f_bytes(2, b(v, "assessment")) + tx.f_bytes(3, b(v, "grantee"))
                       + tx.f_bytes(4, b(v, "sealed_key")) + tx.f_uint(5, int(t(v, "until")))
                       + tx.f_bytes(6, b(v, "request")))
            assert payload == b(v, "payload")
            assert tx.pae(t(v, "payload_type"), payload) == b(v, "pae")
            env = tx.envelope(ident, t(v, "payload_type"), payload)
            assert env == b(v, "envelope") and tx.record_id(env) == b(v, "record_id")
            assert tx.leaf_hash(env) == b(v, "leaf_hash")
            tx.open_envelope(env, t(v, "payload_type"))
        elif name == "sealed_key":
            ident = tx.Identity("x", bytes(32), b(v, "recipient_seal_sk"), bytes(32))
            assert ident.seal_pk == b(v, "recipient_seal_pk")
            assert tx.open_sealed_key(ident, b(v, "sealed")) == b(v, "content_key")
        elif name == "aead":
            ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
                t(v, "plaintext").encode(), b(v, "ad"), b(v, "nonce"), b(v, "key"))
            assert ct == b(v, "ciphertext")
        elif name == "merkle_tree":
            leaves = [tx.leaf_hash(e.encode()) for e in v["entry"]]
            assert leaves == v["leaf_hash"] and tx.sha256(b"") == b(v, "empty_root")
            assert mth(leaves) == b(v, "root") and len(leaves) == int(t(v, "size"))
        elif name == "inclusion":
            assert tx.verify_inclusion(int(t(v, "log_index")), int(t(v, "size")), b(v, "leaf_hash"),
                                       v["proof"], b(v, "root"))
        elif name == "consistency":
            assert tx.verify_consistency(int(t(v, "old_size")), int(t(v, "new_size")),
                                         b(v, "old_root"), b(v, "new_root"), v["proof"])
        elif name == "checkpoint":
            note = ("".join(line + "\n" for line in v["text"]) + "\n"
                    + t(v, "signature_line") + "\n" + t(v, "cosignature_line") + "\n")
            got = tx.verify_checkpoint(note.encode(), b(v, "hub_pk"))
            assert got == (t(v, "origin"), int(t(v, "size")), b(v, "root"), int(t(v, "time")))
            assert base64.b64decode(t(v, "signature_line").split()[2])[4:] == b(v, "signature")
        elif name == "call":
            call = tx.f_uint(1, int(t(v, "id"))) + tx.f_msg(4, tx.f_uint(1, int(t(v, "kind")))
                                                          + tx.f_uint(2, int(t(v, "after"))))
            assert call == b(v, "call")
        else:
            continue
        checked.append(name)
    return checked
