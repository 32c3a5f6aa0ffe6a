package discord

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// gatewayMonitor watches the raw bytes of the gateway connection that
// discordgo dials through our Dialer. discordgo v0.29.0 never tells its caller
// the close code Discord sent (it reconnects on every code, 4014 included)
// nor the heartbeat interval, and it only declares a connection dead after
// five intervals without an ACK. Reading the frames as they pass lets the
// adapter stop on a fatal close code and close a zombied socket itself.
type gatewayMonitor struct {
	mu        sync.Mutex
	conn      net.Conn      // the current gateway socket
	closeCode int           // close code of the last close frame Discord sent on it
	closeText string        // and its reason
	interval  time.Duration // heartbeat interval from the last HELLO
	tls       *tls.Config
}

// dial is websocket.Dialer.NetDialContext: a plain TCP connection, watched.
func (m *gatewayMonitor) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return m.watch(c), nil
}

// dialTLS is websocket.Dialer.NetDialTLSContext: TLS done here so the
// monitor reads plaintext frames.
func (m *gatewayMonitor) dialTLS(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(addr)
	cfg := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if m.tls != nil {
		cfg = m.tls.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = host
		}
	}
	tc := tls.Client(c, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		c.Close()
		return nil, fmt.Errorf("gateway tls handshake: %w", err)
	}
	return m.watch(tc), nil
}

func (m *gatewayMonitor) watch(c net.Conn) net.Conn {
	w := &watchedConn{Conn: c, m: m}
	m.mu.Lock()
	m.conn, m.closeCode, m.closeText = w, 0, ""
	m.mu.Unlock()
	return w
}

// lastClose reports the close code Discord sent on the current socket (0 when none).
func (m *gatewayMonitor) lastClose() (int, string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closeCode, m.closeText
}

func (m *gatewayMonitor) heartbeatInterval() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.interval
}

// drop closes the current socket under discordgo's feet: its reader fails,
// it closes the session, and the adapter resumes.
func (m *gatewayMonitor) drop() {
	m.mu.Lock()
	c := m.conn
	m.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

func (m *gatewayMonitor) frame(c *watchedConn, opcode byte, payload []byte, first bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.conn != c {
		return
	}
	switch {
	case opcode == 8 && len(payload) >= 2:
		m.closeCode = int(binary.BigEndian.Uint16(payload))
		m.closeText = string(payload[2:])
	case first && (opcode == 1 || opcode == 2):
		if opcode == 2 {
			z, err := zlib.NewReader(bytes.NewReader(payload))
			if err != nil {
				return
			}
			payload, _ = io.ReadAll(io.LimitReader(z, 4096))
		}
		var hello struct {
			Op int `json:"op"`
			D  struct {
				HeartbeatInterval float64 `json:"heartbeat_interval"`
			} `json:"d"`
		}
		if json.Unmarshal(payload, &hello) == nil && hello.Op == 10 && hello.D.HeartbeatInterval > 0 {
			m.interval = time.Duration(hello.D.HeartbeatInterval * float64(time.Millisecond))
		}
	}
}

// watchedConn parses the websocket frames Discord sends as they are read.
// It keeps only frame headers and the first bytes of close frames and of the
// first data frame (HELLO): nothing of the members' messages.
type watchedConn struct {
	net.Conn
	m *gatewayMonitor

	mu       sync.Mutex
	upgraded bool
	tail     uint32 // last four bytes of the HTTP response, to find its end
	hdr      [14]byte
	hn, need int
	remain   uint64
	opcode   byte
	keep     int
	payload  []byte
	frames   int
}

func (c *watchedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.feed(p[:n])
	}
	return n, err
}

func (c *watchedConn) feed(p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(p) > 0 {
		if !c.upgraded {
			c.tail = c.tail<<8 | uint32(p[0])
			p = p[1:]
			if c.tail == 0x0d0a0d0a {
				c.upgraded, c.hn, c.need = true, 0, 2
			}
			continue
		}
		if c.remain > 0 {
			n := uint64(len(p))
			if n > c.remain {
				n = c.remain
			}
			if room := c.keep - len(c.payload); room > 0 {
				c.payload = append(c.payload, p[:min(int(n), room)]...)
			}
			c.remain -= n
			p = p[n:]
			if c.remain == 0 {
				c.done()
			}
			continue
		}
		c.hdr[c.hn] = p[0]
		c.hn++
		p = p[1:]
		if c.hn == 2 {
			l7 := c.hdr[1] & 0x7f
			switch l7 {
			case 126:
				c.need += 2
			case 127:
				c.need += 8
			}
			if c.hdr[1]&0x80 != 0 {
				c.need += 4
			}
		}
		if c.hn < c.need {
			continue
		}
		c.opcode = c.hdr[0] & 0x0f
		switch l7 := c.hdr[1] & 0x7f; l7 {
		case 126:
			c.remain = uint64(binary.BigEndian.Uint16(c.hdr[2:4]))
		case 127:
			c.remain = binary.BigEndian.Uint64(c.hdr[2:10])
		default:
			c.remain = uint64(l7)
		}
		c.keep = 0
		if c.opcode == 8 {
			c.keep = 125
		} else if c.frames == 0 && (c.opcode == 1 || c.opcode == 2) {
			c.keep = 4096
		}
		c.payload = c.payload[:0]
		if c.hdr[1]&0x80 != 0 {
			c.keep = 0 // masked frames never come from a server; read past them
		}
		if c.remain == 0 {
			c.done()
		}
	}
}

func (c *watchedConn) done() {
	first := c.frames == 0 && (c.opcode == 1 || c.opcode == 2)
	if c.opcode == 1 || c.opcode == 2 {
		c.frames++
	}
	if c.keep > 0 {
		c.m.frame(c, c.opcode, c.payload, first)
	}
	c.hn, c.need = 0, 2
}
