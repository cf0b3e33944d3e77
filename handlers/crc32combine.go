package handlers

// crc32Combine returns the IEEE CRC-32 of A followed by B from the CRC of
// A, the CRC of B and B's length, as zlib's crc32_combine does: a spliced
// gzip answer needs the CRC of the whole page, and the kept part's is
// known already, so only the small parts around it are read again.
// It multiplies crcA by x^(8·lenB) modulo the CRC's polynomial (with the
// bits reflected, as the IEEE CRC keeps them) and adds crcB.
func crc32Combine(crcA, crcB uint32, lenB int64) uint32 {
	if lenB <= 0 {
		return crcA
	}
	return multModP(x2nModP(lenB, 3), crcA) ^ crcB
}

// crcPoly is the IEEE polynomial, reflected.
const crcPoly = 0xedb88320

// multModP multiplies a and b modulo the polynomial.
func multModP(a, b uint32) uint32 {
	m := uint32(1) << 31
	var p uint32
	for {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				break
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ crcPoly
		} else {
			b >>= 1
		}
	}
	return p
}

// x2nTable holds x^(2^n) modulo the polynomial, for n from 0 to 31.
var x2nTable = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	t[0] = p
	for n := 1; n < 32; n++ {
		p = multModP(p, p)
		t[n] = p
	}
	return t
}()

// x2nModP returns x^(n·2^k) modulo the polynomial.
func x2nModP(n int64, k uint) uint32 {
	p := uint32(1) << 31 // x^0
	for n != 0 {
		if n&1 != 0 {
			p = multModP(x2nTable[k&31], p)
		}
		n >>= 1
		k++
	}
	return p
}
