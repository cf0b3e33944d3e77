package handlers

import (
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

// The CRC of a page spliced from parts is the CRC of the page whole.
func TestCRC32CombineMatchesTheWholeChecksum(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 64, 1000, 70000} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		for _, cut := range []int{0, n / 3, n / 2, n} {
			a, c := b[:cut], b[cut:]
			got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(c), int64(len(c)))
			if want := crc32.ChecksumIEEE(b); got != want {
				t.Errorf("%d bytes cut at %d: combined %08x, whole %08x", n, cut, got, want)
			}
		}
	}
}
