# An independent ticsx client, written from docs/protocol.md (and proto/ticsx.proto) only, to show
# that the protocol can be implemented without the C code: key files, signed records, sealing,
# the hub's calls over CURVE, and the verifiable log. Section numbers (§) are the document's.
"""ticsx protocol v1: python3-zmq (CURVE) and python3-nacl (libsodium); protobuf by hand."""
import base64
import fcntl
import hashlib
import os
import time

import nacl.bindings as sodium
import nacl.exceptions
import nacl.public
import nacl.signing
import zmq
from zmq.utils import z85


class ProtocolError(Exception):
    """Bytes from outside that do not follow the protocol."""


# --- Protobuf wire format, by hand (§3.1: canonical, fields in number order, defaults omitted) ---

def varint(n):
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def f_uint(num, n):
    """A varint field (uint32, uint64, int64 >= 0, bool, enum); 0 is the default, not written."""
    return varint(num << 3) + varint(n) if n else b""


def f_bytes(num, data):
    """A length-delimited field (bytes, string, nested message); empty is not written."""
    if isinstance(data, str):
        data = data.encode()
    return varint(num << 3 | 2) + varint(len(data)) + data if data else b""


def f_msg(num, body):
    """A nested message that must be present even when empty (Meta, a oneof member)."""
    return varint(num << 3 | 2) + varint(len(body)) + body


def f_repeated(num, items):
    return b"".join(varint(num << 3 | 2) + varint(len(x)) + x for x in items)


def read_varint(buf, pos):
    n = shift = 0
    for i in range(10):
        if pos >= len(buf):
            raise ProtocolError("truncated varint")
        byte = buf[pos]
        pos += 1
        n |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return n, pos
    raise ProtocolError("varint of more than 10 bytes")


def decode(buf, limit=16 * 1024 * 1024):
    """A message as {field number: [values]}: ints for varints, bytes for length-delimited."""
    if len(buf) > limit:
        raise ProtocolError("message over %d bytes" % limit)
    fields, pos = {}, 0
    while pos < len(buf):
        tag, pos = read_varint(buf, pos)
        num, wire = tag >> 3, tag & 7
        if wire == 0:
            value, pos = read_varint(buf, pos)
        elif wire == 2:
            size, pos = read_varint(buf, pos)
            if pos + size > len(buf):
                raise ProtocolError("truncated field %d" % num)
            value, pos = bytes(buf[pos:pos + size]), pos + size
        else:
            raise ProtocolError("wire type %d in field %d: ticsx uses none" % (wire, num))
        fields.setdefault(num, []).append(value)
    return fields


def one(fields, num, default=b""):
    return fields.get(num, [default])[-1]


# --- Keys and key files (§2) ---

def blake2b_256(data):
    return hashlib.blake2b(data, digest_size=32).digest()


def sha256(data):
    return hashlib.sha256(data).digest()


def b64(data):
    return base64.b64encode(data).decode()


class Identity:
    """The three key pairs of an organisation: sign (Ed25519), seal and curve (X25519)."""

    def __init__(self, name, sign_seed, seal_sk, curve_sk):
        self.name = name
        self.sign = nacl.signing.SigningKey(sign_seed)
        self.seal = nacl.public.PrivateKey(seal_sk)
        self.curve = nacl.public.PrivateKey(curve_sk)
        self.sign_pk = bytes(self.sign.verify_key)
        self.seal_pk = bytes(self.seal.public_key)
        self.curve_pk = bytes(self.curve.public_key)

    @classmethod
    def generate(cls, name):
        return cls(name, os.urandom(32), os.urandom(32), os.urandom(32))

    def key_id(self):
        """§2.3: the first 8 bytes of BLAKE2b-256 of the Ed25519 public key."""
        return blake2b_256(self.sign_pk)[:8]

    def ssh_blob(self):
        return b"\0\0\0\x0bssh-ed25519\0\0\0\x20" + self.sign_pk

    def fingerprint(self):
        return "SHA256:" + b64(sha256(self.ssh_blob())).rstrip("=")

    def files(self, base="identity"):
        """§2.1-2.3: the three files and their modes, as {name: (mode, text)}."""
        secret = (b"Tx" + self.key_id() + bytes(self.sign._signing_key) + bytes(self.seal)
                  + bytes(self.curve))
        secret += blake2b_256(secret)
        public = b"Tx" + self.key_id() + self.sign_pk + self.seal_pk + self.curve_pk
        return {
            base + ".key": (0o600, "untrusted comment: ticsx secret key: %s\n%s\n"
                            % (self.name, b64(secret))),
            base + ".pub": (0o644, "untrusted comment: ticsx public key: %s\n%s\n"
                            % (self.name, b64(public))),
            base + "_ed25519.pub": (0o644, "ssh-ed25519 %s %s\n"
                                    % (b64(self.ssh_blob()), self.name)),
        }

    def save(self, home):
        os.makedirs(home, mode=0o700, exist_ok=True)
        for name, (mode, text) in self.files().items():
            fd = os.open(os.path.join(home, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            with os.fdopen(fd, "w") as f:
                f.write(text)

    @classmethod
    def load(cls, home, base="identity"):
        path = os.path.join(home, base + ".key")
        if os.stat(path).st_mode & 0o077:
            raise ProtocolError("%s is open to others: chmod 600 it" % path)
        comment, data = open(path).read().split("\n")[:2]
        raw = base64.b64decode(data)
        if len(raw) != 170 or raw[:2] != b"Tx" or blake2b_256(raw[:138]) != raw[138:]:
            raise ProtocolError("%s is not a ticsx secret key" % path)
        name = comment.split(" key: ", 1)[1]
        return cls(name, raw[10:42], raw[74:106], raw[106:138])


def load_public(path):
    """§2.2: a BASE.pub file as (name, sign_pk, seal_pk, curve_pk)."""
    comment, data = open(path).read().split("\n")[:2]
    raw = base64.b64decode(data)
    if len(raw) != 106 or raw[:2] != b"Tx" or raw[2:10] != blake2b_256(raw[10:42])[:8]:
        raise ProtocolError("%s is not a ticsx public key" % path)
    return comment.split(" key: ", 1)[1], raw[10:42], raw[42:74], raw[74:106]


def next_seq(home):
    """§3.6: one counter per signing key; the home's `seq` file holds the last number used,
    taken under flock on `lock` (so the C client may share the home)."""
    path = os.path.join(home, "seq")
    with open(os.open(os.path.join(home, "lock"), os.O_RDWR | os.O_CREAT, 0o600)) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        last = int(open(path).read()) if os.path.exists(path) else 0
        with open(path + ".tmp", "w", opener=lambda p, f: os.open(p, f, 0o600)) as f:
            f.write("%d\n" % (last + 1))
        os.replace(path + ".tmp", path)
    return last + 1


# --- Records (§3) ---

TYPES = {
    "profile": "application/vnd.ticsx.profile.v1",
    "questionnaire": "application/vnd.ticsx.questionnaire.v1",
    "request": "application/vnd.ticsx.request.v1",
    "sealed-assessment": "application/vnd.ticsx.sealed-assessment.v1",
    "grant": "application/vnd.ticsx.grant.v1",
    "assessment": "application/vnd.ticsx.assessment.v1",
}
KIND = {"profile": 1, "questionnaire": 2, "request": 3, "assessment": 4, "grant": 5}
STATUS = ["ok", "bad_request", "bad_signature", "not_enrolled", "not_found", "replay",
          "missing_reference", "forbidden", "too_large", "storage_full", "busy", "internal"]


def pae(payload_type, payload):
    """§3.1: DSSE v1 pre-authentication encoding, what a record's signature covers."""
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def envelope(ident, payload_type, payload):
    signature = ident.sign.sign(pae(payload_type, payload)).signature
    return (f_bytes(1, payload_type) + f_bytes(2, payload) + f_bytes(3, ident.sign_pk)
            + f_bytes(4, signature))


def open_envelope(data, payload_type=None):
    """Decode and verify an envelope (§3.2 step 4) before its payload is looked at."""
    env = decode(data, 1048576)
    ptype, payload = one(env, 1).decode(), one(env, 2)
    signer, signature = one(env, 3), one(env, 4)
    if len(signer) != 32 or len(signature) != 64 or not payload:
        raise ProtocolError("malformed envelope")
    if payload_type is not None and ptype != payload_type:
        raise ProtocolError("expected %s, got %s" % (payload_type, ptype))
    nacl.signing.VerifyKey(signer).verify(pae(ptype, payload), signature)  # raises BadSignature
    return ptype, decode(payload), signer


def record_id(data):
    return sha256(data)


def meta(seq):
    return f_msg(1, f_uint(1, seq) + f_uint(2, int(time.time())))


def local_text(ja, en):
    return f_bytes(1, ja) + f_bytes(2, en)


def profile_payload(ident, seq, corporate_number=""):
    return (meta(seq) + f_bytes(2, ident.name) + f_bytes(3, corporate_number)
            + f_bytes(4, ident.seal_pk) + f_bytes(5, ident.curve_pk))


def questionnaire_payload(seq, qid, version, title, areas, items, scale, levels):
    """areas: (id, ja, en); items: (id, area, level, ja, en, weight); scale: (code, ja, en,
    permille, not_applicable); levels: (level, ja, en)."""
    out = meta(seq) + f_bytes(2, qid) + f_uint(3, version) + f_bytes(4, local_text(*title))
    out += f_repeated(5, [f_bytes(1, a) + f_bytes(2, local_text(ja, en)) for a, ja, en in areas])
    out += f_repeated(6, [f_bytes(1, i) + f_bytes(2, a) + f_uint(3, lv)
                          + f_bytes(4, local_text(ja, en)) + f_uint(5, w)
                          for i, a, lv, ja, en, w in items])
    out += f_repeated(7, [f_bytes(1, c) + f_bytes(2, local_text(ja, en)) + f_uint(3, pm)
                          + f_uint(4, na) for c, ja, en, pm, na in scale])
    out += f_repeated(8, [f_uint(1, lv) + f_bytes(2, local_text(ja, en)) for lv, ja, en in levels])
    return out


def request_payload(ident, seq, questionnaire, suppliers, due=0, note=""):
    """§4.3: suppliers are (sign_pk, seal_pk); the note is sealed to them and to the signer."""
    out = meta(seq) + f_bytes(2, questionnaire) + f_repeated(3, [s for s, _ in suppliers])
    out += f_uint(4, due) + f_uint(5, 1)
    if note:
        key, nonce = os.urandom(32), os.urandom(24)
        sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(note.encode(), questionnaire,
                                                                   nonce, key)
        keys = [seal_key(key, pk) for _, pk in suppliers] + [seal_key(key, ident.seal_pk)]
        out += f_bytes(9, nonce) + f_bytes(10, sealed) + f_repeated(11, keys)
    return out


# --- Encryption (§4) ---

def seal_key(content_key, seal_pk):
    """§4.2: crypto_box_seal, 80 bytes."""
    return nacl.public.SealedBox(nacl.public.PublicKey(seal_pk)).encrypt(content_key)


def open_sealed_key(ident, sealed):
    if len(sealed) != 80:
        raise ProtocolError("a sealed key is 80 bytes, not %d" % len(sealed))
    return nacl.public.SealedBox(ident.seal).decrypt(sealed)


def open_assessment(ident, grant_env, sealed_env):
    """§4.1 and §10 step 2: from a grant to us and its sealed assessment to the verified inner
    Assessment payload (as decoded fields)."""
    _, grant, grantor = open_envelope(grant_env, TYPES["grant"])
    _, sealed, author = open_envelope(sealed_env, TYPES["sealed-assessment"])
    if one(grant, 3) != ident.sign_pk or one(grant, 2) != record_id(sealed_env):
        raise ProtocolError("the grant is not to us or names another assessment")
    if author != grantor:
        raise ProtocolError("the sealed assessment is not the grantor's")
    until = one(grant, 5, 0)
    if until and until < time.time():
        raise ProtocolError("the grant ended")
    key = open_sealed_key(ident, one(grant, 4))
    questionnaire = one(sealed, 2)
    inner_env = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(one(sealed, 4), questionnaire,
                                                                  one(sealed, 3), key)
    _, inner, signer = open_envelope(inner_env, TYPES["assessment"])
    if signer != author or one(inner, 2) != questionnaire:
        raise ProtocolError("the inner assessment is not the author's or names another "
                            "questionnaire")
    return inner


def open_note(ident, request):
    """§4.3: a request's note, opened with our seal key (our place among the suppliers, or the
    last key when we signed it); "" when it has none."""
    if not request.get(10):
        return ""
    suppliers = request.get(3, [])
    place = suppliers.index(ident.sign_pk) if ident.sign_pk in suppliers else len(suppliers)
    key = open_sealed_key(ident, request[11][place])
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(one(request, 10), one(request, 2),
                                                             one(request, 9), key).decode()


def answer(ident, home, request_id, questionnaire, answers, grantee_sign_pk, grantee_seal_pk):
    """§4.1, §4.2: sign the inner assessment, encrypt it, sign the sealed record and a grant of
    it to the requester. answers: [(item, choice, comment)]. Returns (sealed, grant) envelopes."""
    now = int(time.time())
    inner = (meta(next_seq(home)) + f_bytes(2, questionnaire) + f_bytes(3, request_id)
             + f_repeated(4, [f_bytes(1, i) + f_bytes(2, c) + f_bytes(3, m) for i, c, m in answers])
             + f_uint(5, now) + f_uint(6, now + 365 * 86400))
    inner_env = envelope(ident, TYPES["assessment"], inner)
    key, nonce = os.urandom(32), os.urandom(24)
    ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(inner_env, questionnaire,
                                                                   nonce, key)
    sealed_env = envelope(ident, TYPES["sealed-assessment"], meta(next_seq(home))
                          + f_bytes(2, questionnaire) + f_bytes(3, nonce) + f_bytes(4, ciphertext))
    grant_env = envelope(ident, TYPES["grant"], meta(next_seq(home))
                         + f_bytes(2, record_id(sealed_env)) + f_bytes(3, grantee_sign_pk)
                         + f_bytes(4, seal_key(key, grantee_seal_pk)) + f_bytes(6, request_id))
    return sealed_env, grant_env


# --- The hub (§5, §6) ---

class Hub:
    """One DEALER connection with CURVE: the hub's curve key from the pinned hub.pub."""

    def __init__(self, endpoint, hub_pub, ident, timeout_ms=10000):
        _, self.sign_pk, _, curve_pk = load_public(hub_pub)
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.curve_serverkey = z85.encode(curve_pk)
        self.sock.curve_publickey = z85.encode(ident.curve_pk)
        self.sock.curve_secretkey = z85.encode(bytes(ident.curve))
        self.sock.linger = 0
        self.sock.connect(endpoint)
        self.endpoint = endpoint
        self.timeout_ms, self.next_id = timeout_ms, 1

    def close(self):
        self.sock.close()
        self.ctx.term()

    def call(self, body):
        """Send `Call { id, body }` (body already encoded as its field) and wait for its reply."""
        call_id, self.next_id = self.next_id, self.next_id + 1
        self.sock.send(f_uint(1, call_id) + body)
        while self.sock.poll(self.timeout_ms):
            reply = decode(self.sock.recv())
            if one(reply, 1, 0) == call_id and not one(reply, 7, 0):
                return reply
        raise ProtocolError("no reply within %d ms" % self.timeout_ms)

    def submit(self, env):
        return self.call(f_msg(2, f_bytes(1, env)))

    def get(self, rid):
        return self.call(f_msg(3, f_bytes(1, rid)))

    def list(self, kind):
        """Every record of a kind we may read, paging until `next` is 0 (§6.2 list)."""
        after, out = 0, []
        while True:
            reply = self.call(f_msg(4, f_uint(1, kind) + f_uint(2, after)))
            check_ok(reply, "list")
            out += [(one(decode(e), 1, 0), one(decode(e), 2)) for e in reply.get(5, [])]
            after = one(reply, 6, 0)
            if not after:
                return out

    def checkpoint(self):
        return one(check_ok(self.call(f_uint(7, 1)), "checkpoint"), 8)

    def inclusion(self, index, size):
        reply = self.call(f_msg(8, f_uint(1, index) + f_uint(2, size)))
        return check_ok(reply, "inclusion").get(9, [])

    def consistency(self, old_size, new_size):
        reply = self.call(f_msg(9, f_uint(1, old_size) + f_uint(2, new_size)))
        return check_ok(reply, "consistency").get(9, [])


def status(reply):
    return STATUS[one(reply, 2, 0)]


def check_ok(reply, what):
    if status(reply) != "ok":
        raise ProtocolError("%s: %s: %s" % (what, status(reply), one(reply, 3).decode()))
    return reply


# --- The log (§7) ---

def leaf_hash(env):
    return sha256(b"\0" + env)


def node(left, right):
    return sha256(b"\1" + left + right)


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 §2.1.3.2; `index` is the log index, from 1 (leaf index - 1)."""
    fn, sn, r = index - 1, size - 1, leaf
    if fn > sn:
        return False
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(old_size, new_size, old_root, new_root, proof):
    """RFC 9162 §2.1.4.2."""
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size & (old_size - 1) == 0:
        proof = [old_root] + list(proof)
    if not proof:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root


def verify_checkpoint(note, hub_sign_pk):
    """§7.3: a signed note; returns (origin, size, root, time) when the hub's signature
    (the line named ORIGIN whose key hash is the pinned key's) verifies."""
    text, _, signatures = note.decode().partition("\n\n")
    text += "\n"
    lines = text.split("\n")[:-1]
    if len(lines) != 4 or not lines[3].startswith("time "):
        raise ProtocolError("not a checkpoint: %r" % text)
    origin = lines[0]
    key_hash = sha256(origin.encode() + b"\n\x01" + hub_sign_pk)[:4]
    for line in signatures.split("\n"):
        name, _, sig = line.removeprefix("\u2014 ").partition(" ")
        raw = base64.b64decode(sig) if line.startswith("\u2014 ") and name == origin else b""
        if len(raw) == 68 and raw[:4] == key_hash:
            try:
                nacl.signing.VerifyKey(hub_sign_pk).verify(text.encode(), raw[4:])
            except nacl.exceptions.BadSignatureError:
                continue  # another line of the same name and key hash may verify
            return origin, int(lines[1]), base64.b64decode(lines[2]), int(lines[3][5:])
    raise ProtocolError("the checkpoint carries no signature of the pinned hub key")
