//go:build !race

package repertoire

const raceOn = false
