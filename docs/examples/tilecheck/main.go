// tilecheck verifies a govfed node's log with Go's golang.org/x/mod/sumdb/tlog tile reader alone:
//
//	go mod tidy && go run . http://127.0.0.1:PORT 'ORIGIN+KEYHASH+BASE64KEY'
//
// It fetches /checkpoint, verifies the log's signature (golang.org/x/mod/sumdb/note), reads hash tiles
// through tlog.TileHashReader (which checks every tile against the signed root), recomputes the root,
// proves and checks the inclusion of entries read from entry bundles, and a consistency proof.
package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type tileReader struct {
	base    string
	fetched int
}

func (r *tileReader) Height() int { return 8 }

// C2SP tlog-tiles paths are Go's tile paths without the height element: tile/8/L/N -> tile/L/N.
func c2spPath(t tlog.Tile) string { return "tile/" + strings.TrimPrefix(t.Path(), "tile/8/") }

func get(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return b, nil
}

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := get(r.base + "/" + c2spPath(t))
		if err != nil {
			return nil, err
		}
		r.fetched++
		out[i] = b
	}
	return out, nil
}

func (r *tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 3 {
		fail("usage: tilecheck URL VERIFIER_KEY")
	}
	base, vkey := strings.TrimSuffix(os.Args[1], "/"), os.Args[2]
	v, err := note.NewVerifier(vkey)
	if err != nil {
		fail("verifier key: %v", err)
	}
	msg, err := get(base + "/checkpoint")
	if err != nil {
		fail("%v", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		fail("checkpoint signature: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != v.Name() {
		fail("checkpoint body: %q", n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("size: %v", err)
	}
	rootBytes, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(rootBytes) != tlog.HashSize {
		fail("root hash: %q", lines[2])
	}
	var root tlog.Hash
	copy(root[:], rootBytes)
	fmt.Printf("checkpoint: origin %s, size %d, root %s, %d verified signature(s), %d other\n",
		lines[0], size, lines[2], len(n.Sigs), len(n.UnverifiedSigs))

	tr := &tileReader{base: base}
	thr := tlog.TileHashReader(tlog.Tree{N: size, Hash: root}, tr)
	got, err := tlog.TreeHash(size, thr)
	if err != nil {
		fail("tree hash from tiles: %v", err)
	}
	if got != root {
		fail("root from tiles %v != checkpoint root %v", got, root)
	}
	fmt.Printf("root recomputed from tiles: OK (%d tiles read)\n", tr.fetched)

	for _, idx := range []int64{0, size / 3, size / 2, size - 1} {
		t := tlog.TileForIndex(8, tlog.StoredHashIndex(0, idx))
		t.L = 0
		t.N = idx / 256
		t.W = int(min64(256, size-t.N*256))
		bundle, err := get(base + "/tile/entries/" + strings.TrimPrefix(t.Path(), "tile/8/0/"))
		if err != nil {
			fail("%v", err)
		}
		entries, err := split(bundle)
		if err != nil || len(entries) != t.W {
			fail("entry bundle %s: %d entries, %v", t.Path(), len(entries), err)
		}
		entry := entries[idx%256]
		proof, err := tlog.ProveRecord(size, idx, thr)
		if err != nil {
			fail("prove %d: %v", idx, err)
		}
		if err := tlog.CheckRecord(proof, size, root, idx, tlog.RecordHash(entry)); err != nil {
			fail("inclusion of entry %d: %v", idx, err)
		}
		fmt.Printf("entry %d (%d bytes, from %s): inclusion proof of %d hashes from tiles: OK\n",
			idx, len(entry), "tile/entries/"+strings.TrimPrefix(t.Path(), "tile/8/0/"), len(proof))
	}
	// A consistency proof between an earlier size and this one, from the same tiles. (A monitor keeps
	// the earlier verified checkpoint and checks the proof against its root.)
	if old := size / 2; old > 0 {
		oldRoot, err := tlog.TreeHash(old, thr)
		if err != nil {
			fail("root of size %d: %v", old, err)
		}
		proof, err := tlog.ProveTree(size, old, thr)
		if err != nil {
			fail("prove consistency: %v", err)
		}
		if err := tlog.CheckTree(proof, size, root, old, oldRoot); err != nil {
			fail("consistency %d -> %d: %v", old, size, err)
		}
		fmt.Printf("consistency proof %d -> %d (%d hashes) from tiles: OK\n", old, size, len(proof))
	}
	fmt.Println("OK")
}

func min64(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}

func split(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, fmt.Errorf("truncated")
		}
		n := int(b[0])<<8 | int(b[1])
		if len(b) < 2+n {
			return nil, fmt.Errorf("truncated")
		}
		out = append(out, append([]byte(nil), b[2:2+n]...))
		b = b[2+n:]
	}
	return out, nil
}
