# ctest test_interop: the independent Python client (ticsx_py.py, written from docs/protocol.md)
# against a real ticsx-hub over CURVE and the real C ticsx client. Exit 0 pass, 1 fail, 77 skip
# (python3-zmq or python3-nacl missing). TX_BUILD_DIR names the build with the two binaries.
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import nacl  # noqa: F401
    import zmq  # noqa: F401
except ImportError as e:
    print("SKIP: %s: install python3-zmq and python3-nacl (script/bootstrap --tests)" % e)
    sys.exit(77)

import ticsx_py as tx
from zmq.utils.monitor import recv_monitor_message
import vectors

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("TX_BUILD_DIR") or sys.exit("TX_BUILD_DIR is not set")
TICSX = os.path.join(BUILD, "client", "ticsx")
HUB = os.path.join(BUILD, "hub", "ticsx-hub")
ENV = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")


def step(text):
    print("== " + text, flush=True)


def wrapped(argv):
    """The harness's wrappers (valgrind runs): TX_TEST_CLIENT_WRAPPER, TX_TEST_HUB_WRAPPER."""
    name = {TICSX: "TX_TEST_CLIENT_WRAPPER", HUB: "TX_TEST_HUB_WRAPPER"}.get(argv[0])
    return os.environ.get(name, "").split() + list(argv) if name else list(argv)


def run(*argv, ok=True):
    p = subprocess.run(wrapped(argv), env=ENV, capture_output=True, text=True)
    if ok and p.returncode != 0:
        raise AssertionError("%s exited %d:\n%s%s"
                             % (" ".join(argv), p.returncode, p.stdout, p.stderr))
    return p


def main(tmp):
    step("the document's test vectors, computed by the Python client")
    checked = vectors.check_vectors(os.path.join(HERE, "..", "..", "docs", "protocol.md"))
    assert {"key", "record", "sealed_key", "aead", "merkle_tree", "inclusion", "consistency",
            "checkpoint", "call"} <= set(checked), checked

    step("a real hub: ticsx-hub init and run on a free loopback port")
    hub_dir, hub_pub = os.path.join(tmp, "hub"), os.path.join(tmp, "hub", "hub.pub")
    run(HUB, "init", "--data", hub_dir)
    log = open(os.path.join(tmp, "hub.log"), "w")
    hub = subprocess.Popen(wrapped([HUB, "run", "--data", hub_dir, "--bind", "tcp://127.0.0.1:*"]),
                           env=ENV, stdout=log, stderr=log)
    try:
        while not os.path.exists(os.path.join(hub_dir, "endpoint")):
            assert hub.poll() is None, "ticsx-hub run exited early, see " + log.name
            time.sleep(0.01)
        endpoint = open(os.path.join(hub_dir, "endpoint")).read().strip()
        exchange(tmp, hub_dir, hub_pub, endpoint)
    finally:
        hub.terminate()
        assert hub.wait(timeout=60) == 0, "ticsx-hub run did not exit 0 on SIGTERM"


def exchange(tmp, hub_dir, hub_pub, endpoint):
    def ticsx(home, *args, ok=True):
        return run(TICSX, "--home", home, "--hub", endpoint, "--hub-key", hub_pub,
                   "--timeout", "30000", *args, ok=ok)

    step("a C organisation (supplier, then buyer): ticsx keygen, ticsx-hub enroll")
    c_home = os.path.join(tmp, "c")
    ticsx(c_home, "keygen", "--name", "Mikawa Precision KK")
    run(HUB, "enroll", "--data", hub_dir, os.path.join(c_home, "profile.tx"))

    step("1. the Python organisation's key files, read by the C client; its profile, enrolled")
    home = os.path.join(tmp, "python")
    me = tx.Identity.generate("Interop Python KK")
    me.save(home)
    profile = tx.envelope(me, tx.TYPES["profile"],
                          tx.profile_payload(me, tx.next_seq(home), "7123456789012"))
    with open(os.path.join(home, "profile.tx"), "wb") as f:
        f.write(profile)
    who = json.loads(ticsx(home, "--json", "whoami").stdout)
    print("   C whoami of the Python home:", who)
    assert who["fingerprint"] == me.fingerprint() and who["key_id"] == me.key_id().hex(), who
    if shutil.which("ssh-keygen"):
        line = run("ssh-keygen", "-lf", os.path.join(home, "identity_ed25519.pub")).stdout
        assert line.split()[1] == me.fingerprint(), line
    out = run(HUB, "enroll", "--data", hub_dir, os.path.join(home, "profile.tx")).stdout
    assert "enrolled Interop Python KK " + me.fingerprint() in out, out
    orgs = ticsx(c_home, "orgs").stdout
    assert "Interop Python KK" in orgs and me.fingerprint() in orgs, orgs

    hub = tx.Hub(endpoint, hub_pub, me, timeout_ms=30000)
    try:
        both_ways(hub, me, home, c_home, ticsx, hub_pub)
    finally:
        hub.close()


def both_ways(hub, me, home, c_home, ticsx, hub_pub):
    hub_sign_pk = hub.sign_pk
    assert tx.status(hub.call(tx.f_uint(5, 1))) == "ok"

    # The C organisation's keys from its signed, enrolled profile (its identity.pub names it).
    _, c_pk, _, _ = tx.load_public(os.path.join(c_home, "identity.pub"))
    c_seal = None
    for _, env in hub.list(tx.KIND["profile"]):
        _, p, signer = tx.open_envelope(env, tx.TYPES["profile"])
        if signer == c_pk:
            c_seal = tx.one(p, 4)
    assert c_seal is not None, "the C organisation's profile is not on the hub"

    def submit(kind, payload, env=None):
        """Submit one record and check its receipt (§6.2): leaf hash, signed checkpoint,
        and the record's inclusion in that checkpoint."""
        env = env or tx.envelope(me, tx.TYPES[kind], payload)
        reply = tx.check_ok(hub.submit(env), "submit " + kind)
        receipt = tx.decode(tx.one(reply, 4))
        index = tx.one(receipt, 1, 0)
        assert tx.one(receipt, 2) == tx.record_id(env) and tx.one(receipt, 4) == tx.leaf_hash(env)
        _, size, root, _ = tx.verify_checkpoint(tx.one(receipt, 5), hub_sign_pk)
        proof = hub.inclusion(index, size)
        assert tx.verify_inclusion(index, size, tx.leaf_hash(env), proof, root)
        print("   %s %s at log index %d, proven in the checkpoint of size %d"
              % (kind, tx.record_id(env).hex()[:12], index, size))
        return env, index, size, root

    step("2a. the Python organisation publishes a questionnaire and requests it of the C supplier")
    questionnaire = tx.questionnaire_payload(
        tx.next_seq(home), "interop-check", 1, ("相互運用チェック", "Interop check"),
        [("A", "組織", "Organisation")],
        [("A1", "A", 1, "情報セキュリティの責任者を定めていますか。",
          "Is someone responsible for information security?", 1),
         ("A2", "A", 1, "アクセス権を定期的に見直していますか。",
          "Are access rights reviewed regularly?", 2)],
        [("yes", "はい", "Yes", 1000, 0), ("no", "いいえ", "No", 0, 0)],
        [(1, "基本", "Basic")])
    q_env, _, old_size, old_root = submit("questionnaire", questionnaire)
    q_id = tx.record_id(q_env)
    note = "回答期限までにご回答ください。 Please answer by the due date."
    req_env, req_index, _, _ = submit("request", tx.request_payload(
        me, tx.next_seq(home), q_id, [(c_pk, c_seal)],
        due=int(time.time()) + 30 * 86400, note=note))
    req_id = tx.record_id(req_env).hex()

    step("2b. the C supplier's inbox shows the Python organisation's request and its sealed note")
    inbox = ticsx(c_home, "--json", "inbox").stdout
    print("   " + inbox.strip()[:600])
    assert req_id in inbox and note in inbox and "Interop Python KK" in inbox, inbox

    step("2c. the C supplier answers; the Python organisation opens and verifies the assessment")
    answers = os.path.join(c_home, "answers.json")
    ticsx(c_home, "questionnaire", "template", req_id, "--format", "json", "--out", answers)
    filled = json.load(open(answers))
    print("   template:", json.dumps(filled, ensure_ascii=False)[:300])
    for a in filled["answers"]:
        a["answer"] = "yes" if a["item"] == "A1" else "no"
    json.dump(filled, open(answers, "w"))
    ticsx(c_home, "answer", req_id, "--file", answers, "--certificate", "none")
    grants = [env for _, env in hub.list(tx.KIND["grant"])]
    assert len(grants) == 1, grants
    _, grant, _ = tx.open_envelope(grants[0], tx.TYPES["grant"])
    assert tx.one(grant, 6).hex() == req_id, "the grant names another request"
    entry = tx.decode(tx.one(tx.check_ok(hub.get(tx.one(grant, 2)), "get"), 5))
    sealed_env = tx.one(entry, 2)
    assert tx.record_id(sealed_env) == tx.one(grant, 2)
    inner = tx.open_assessment(me, grants[0], sealed_env)
    got = {tx.one(tx.decode(a), 1).decode(): tx.one(tx.decode(a), 2).decode() for a in inner[4]}
    print("   answers opened and verified:", got)
    assert got == {"A1": "yes", "A2": "no"} and tx.one(inner, 3).hex() == req_id

    step("2d. the C organisation asks the Python one, which answers; the C client verifies it")
    note = "定期報告の前にご回答ください。"
    c_req_id = ticsx(c_home, "-q", "request", "--questionnaire", "tics-selfcheck",
                     "--to", me.fingerprint(), "--note", note).stdout.split()[-1]
    [request] = [tx.open_envelope(env, tx.TYPES["request"])[1]
                 for _, env in hub.list(tx.KIND["request"]) if tx.record_id(env).hex() == c_req_id]
    assert tx.open_note(me, request) == note
    q_id = tx.one(request, 2)
    entry = tx.decode(tx.one(tx.check_ok(hub.get(q_id), "get"), 5))
    assert tx.record_id(tx.one(entry, 2)) == q_id
    _, q, _ = tx.open_envelope(tx.one(entry, 2), tx.TYPES["questionnaire"])
    full = [tx.one(tx.decode(c), 1).decode() for c in q[7] if tx.one(tx.decode(c), 3, 0) == 1000]
    answers = [(tx.one(tx.decode(i), 1).decode(), full[0], "Python から回答") for i in q[6]]
    print("   %d items of %s answered %r" % (len(answers), tx.one(q, 2).decode(), full[0]))
    sealed_env, grant_env = tx.answer(me, home, bytes.fromhex(c_req_id), q_id, answers,
                                      c_pk, c_seal)
    submit("sealed-assessment", None, sealed_env)
    submit("grant", None, grant_env)
    ticsx(c_home, "fetch")
    verify = ticsx(c_home, "verify", ok=False)
    print("   " + verify.stdout.strip().replace("\n", "\n   "))
    assert verify.returncode == 0 and "Interop Python KK" in verify.stdout, verify.stderr
    report = json.loads(ticsx(c_home, "--json", "report").stdout)
    [doc] = report["reports"]
    [row] = doc["suppliers"]
    print("   report: %s %s, overall %s, level %s, comments %r" % (
        row["name"], row["status"], row["overall"], row["level_achieved"],
        {i["comment"] for i in row["items"]}))
    assert row["status"] == "verified" and row["overall"] == 100 and not row["unanswered"]
    assert {i["comment"] for i in row["items"]} == {"Python から回答"}

    step("3. the hub's checkpoint, an inclusion proof of our request, a consistency proof")
    checkpoint = hub.checkpoint()
    _, size, root, when = tx.verify_checkpoint(checkpoint, hub_sign_pk)
    forged = checkpoint.replace(b"\n%d\n" % size, b"\n%d\n" % (size + 1), 1)
    try:
        tx.verify_checkpoint(forged, hub_sign_pk)
        raise AssertionError("a checkpoint with another size verified")
    except tx.ProtocolError as e:
        print("   the same note with size %d is refused: %s" % (size + 1, e))
    print("   checkpoint: size %d, root %s, time %d" % (size, root.hex()[:16], when))
    assert size >= req_index + 6  # the answers and the second request came after
    assert tx.verify_inclusion(req_index, size, tx.leaf_hash(req_env),
                               hub.inclusion(req_index, size), root)
    assert tx.verify_consistency(old_size, size, old_root, root, hub.consistency(old_size, size))
    assert not tx.verify_inclusion(req_index, size, tx.leaf_hash(q_env),
                                   hub.inclusion(req_index, size), root)
    print("   inclusion of index %d and consistency %d -> %d verified"
          % (req_index, old_size, size))

    step("4. a record whose signature is broken by one byte is refused: bad_signature")
    env = bytearray(tx.envelope(me, tx.TYPES["request"], tx.request_payload(
        me, tx.next_seq(home), q_id, [(c_pk, c_seal)])))
    env[-1] ^= 0x01  # the last byte of the envelope is the signature's last
    reply = hub.submit(bytes(env))
    print("   hub: %s: %s" % (tx.status(reply), tx.one(reply, 3).decode()))
    assert tx.status(reply) == "bad_signature" and 4 not in reply

    step("4b. a key the hub has not enrolled is refused at the CURVE handshake (ZAP 400)")
    stranger = tx.Identity.generate("Stranger")
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    monitor = sock.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH)
    sock.curve_serverkey = tx.z85.encode(tx.load_public(hub_pub)[3])
    sock.curve_publickey = tx.z85.encode(stranger.curve_pk)
    sock.curve_secretkey = tx.z85.encode(bytes(stranger.curve))
    sock.linger = 0
    sock.connect(hub.endpoint)
    assert monitor.poll(20000), "no handshake failure reported"
    event = recv_monitor_message(monitor)
    print("   handshake failed, status %d" % event["value"])
    assert event["value"] == 400
    sock.disable_monitor()
    monitor.close()
    sock.close()
    ctx.term()

    step("5. the C client signs from the Python home: same files, same sequence counter")
    before = int(open(os.path.join(home, "seq")).read())
    c_req = ticsx(home, "-q", "request", "--questionnaire", tx.record_id(q_env).hex(),
                  "--to", "Mikawa Precision KK").stdout.split()[-1]
    [env] = [env for _, env in hub.list(tx.KIND["request"]) if tx.record_id(env).hex() == c_req]
    _, request, signer = tx.open_envelope(env, tx.TYPES["request"])
    seq = tx.one(tx.decode(tx.one(request, 1)), 1, 0)
    print("   C request %s signed by the Python key with seq %d (the Python client's last: %d)"
          % (c_req[:12], seq, before))
    assert signer == me.sign_pk and seq > before


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="ticsx-interop-") as tmp:
        main(tmp)
    print("PASS: the independent client interoperates with ticsx-hub and ticsx")
