package discord

import (
	"encoding/binary"
	"net"
	"testing"
	"time"
)

func wsFrame(opcode byte, payload []byte) []byte {
	f := []byte{0x80 | opcode}
	switch n := len(payload); {
	case n < 126:
		f = append(f, byte(n))
	case n < 1<<16:
		f = append(f, 126, byte(n>>8), byte(n))
	default:
		f = append(f, 127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	return append(f, payload...)
}

// The monitor follows frames of every length encoding, split anywhere, and
// learns the HELLO interval and the close code.
func TestGatewayMonitorReadsFrames(t *testing.T) {
	for _, chunk := range []int{1, 3, 7, 1000, 1 << 20} {
		m := &gatewayMonitor{}
		c1, c2 := net.Pipe()
		c2.Close()
		w := m.watch(c1).(*watchedConn)
		stream := []byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")
		stream = append(stream, wsFrame(1, []byte(`{"op":10,"d":{"heartbeat_interval":41250}}`))...)
		stream = append(stream, wsFrame(1, make([]byte, 300))...)                                      // 16-bit length
		stream = append(stream, wsFrame(2, make([]byte, 70000))...)                                    // 64-bit length
		stream = append(stream, wsFrame(9, nil)...)                                                    // ping
		stream = append(stream, wsFrame(8, append([]byte{0x0f, 0xae}, "Disallowed intent(s)."...))...) // 4014
		for len(stream) > 0 {
			n := min(chunk, len(stream))
			w.feed(stream[:n])
			stream = stream[n:]
		}
		if iv := m.heartbeatInterval(); iv != 41250*time.Millisecond {
			t.Errorf("chunk %d: interval %v", chunk, iv)
		}
		if code, reason := m.lastClose(); code != 4014 || reason != "Disallowed intent(s)." {
			t.Errorf("chunk %d: close %d %q", chunk, code, reason)
		}
	}
}
