// notecheck verifies a ticsx checkpoint note with golang.org/x/mod/sumdb/note, code that is not
// ticsx's: the hub's Ed25519 note signature through note.Open with the hub's verifier key, and
// a witness cosignature (C2SP tlog-cosignature v1, key type 0x04, which that package does not
// know) with crypto/ed25519 from the note's unverified signatures.
//
//	notecheck NOTE HUB_VKEY [WITNESS_VKEY]
//
// Prints "ok" and the checkpoint's lines and exits 0, or prints why not and exits 1.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

func fail(format string, args ...interface{}) {
	fmt.Printf("notecheck: "+format+"\n", args...)
	os.Exit(1)
}

// parseCosigVkey splits "name+hash+base64(0x04||key)" (the base64 key may hold a "+" too).
func parseCosigVkey(vkey string) (string, uint32, ed25519.PublicKey) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		fail("witness verifier key %q is not name+hash+key", vkey)
	}
	h, err := strconv.ParseUint(parts[1], 16, 32)
	if err != nil {
		fail("witness verifier key hash: %v", err)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 33 || raw[0] != 0x04 {
		fail("witness verifier key is not a cosignature/v1 Ed25519 key")
	}
	return parts[0], uint32(h), ed25519.PublicKey(raw[1:])
}

func main() {
	if len(os.Args) != 3 && len(os.Args) != 4 {
		fail("usage: notecheck NOTE HUB_VKEY [WITNESS_VKEY]")
	}
	msg, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail("%v", err)
	}
	v, err := note.NewVerifier(os.Args[2])
	if err != nil {
		fail("hub verifier key: %v", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		fail("note.Open: %v", err)
	}
	if len(n.Sigs) != 1 || n.Sigs[0].Name != v.Name() {
		fail("note.Open verified %d signatures", len(n.Sigs))
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) < 3 || lines[0] != v.Name() {
		fail("the checkpoint's origin line is not the hub's key name")
	}
	if _, err := strconv.ParseUint(lines[1], 10, 64); err != nil {
		fail("size line: %v", err)
	}
	if root, err := base64.StdEncoding.DecodeString(lines[2]); err != nil || len(root) != 32 {
		fail("root line is not 32 bytes of base64")
	}
	if len(os.Args) == 4 {
		name, hash, pub := parseCosigVkey(os.Args[3])
		h := sha256.Sum256(append([]byte(name+"\n\x04"), pub...))
		if binary.BigEndian.Uint32(h[:4]) != hash {
			fail("witness verifier key hash does not match its name and key")
		}
		found := false
		for _, s := range n.UnverifiedSigs {
			if s.Name != name || s.Hash != hash {
				continue
			}
			raw, err := base64.StdEncoding.DecodeString(s.Base64)
			if err != nil || len(raw) != 4+8+64 {
				fail("cosignature of %s is not a timestamped Ed25519 signature", name)
			}
			ts := binary.BigEndian.Uint64(raw[4:12])
			var m bytes.Buffer
			fmt.Fprintf(&m, "cosignature/v1\ntime %d\n", ts)
			m.WriteString(n.Text)
			if !ed25519.Verify(pub, m.Bytes(), raw[12:]) {
				fail("cosignature of %s does not verify", name)
			}
			found = true
		}
		if !found {
			fail("no cosignature of %s", name)
		}
	}
	fmt.Printf("ok\n%s", n.Text)
}
