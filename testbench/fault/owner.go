package fault

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// socketOwner finds the process that dialed an accepted loopback
// connection: the kernel lists the dialer's socket in /proc/net/tcp (its
// local port is the connection's remote port), and the process holding
// that socket's inode among its file descriptors is the dialer. pids maps
// the candidate processes to node IDs; the answer is "" when none of them
// holds the socket (the harness itself, or a process that closed it).
//
// This is how the proxies tell which node a connection comes from without
// a change to the nodes: every node dials the same advertised address of a
// peer, and on loopback every source address is 127.0.0.1.
func socketOwner(remote, local *net.TCPAddr, pids map[int]string) (string, error) {
	inode, err := socketInode(remote, local)
	if err != nil || inode == "" {
		return "", err
	}
	want := "socket:[" + inode + "]"
	for pid, id := range pids {
		dir := fmt.Sprintf("/proc/%d/fd", pid)
		fds, err := os.ReadDir(dir)
		if err != nil {
			continue // the process is gone
		}
		for _, fd := range fds {
			if l, err := os.Readlink(dir + "/" + fd.Name()); err == nil && l == want {
				return id, nil
			}
		}
	}
	return "", nil
}

// socketInode reads the inode of the socket whose local address is
// remote and whose peer is local (the dialer's end of the connection).
func socketInode(remote, local *net.TCPAddr) (string, error) {
	file := "/proc/net/tcp"
	if remote.IP.To4() == nil {
		file = "/proc/net/tcp6"
	}
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	wantLocal, wantPeer := procAddr(remote), procAddr(local)
	sc := bufio.NewScanner(f)
	sc.Scan() // the header
	for sc.Scan() {
		// sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 {
			continue
		}
		if fields[1] == wantLocal && fields[2] == wantPeer {
			return fields[9], nil
		}
	}
	return "", sc.Err()
}

// procAddr writes an address as /proc/net/tcp does: the IPv4 address as
// a little-endian hexadecimal word (on the little-endian machines this
// runs on), then the port in hexadecimal.
func procAddr(a *net.TCPAddr) string {
	port := strings.ToUpper(strconv.FormatInt(int64(a.Port), 16))
	for len(port) < 4 {
		port = "0" + port
	}
	if ip := a.IP.To4(); ip != nil {
		return fmt.Sprintf("%02X%02X%02X%02X:%s", ip[3], ip[2], ip[1], ip[0], port)
	}
	ip := a.IP.To16()
	var b strings.Builder
	for w := 0; w < 4; w++ {
		for k := 3; k >= 0; k-- {
			fmt.Fprintf(&b, "%02X", ip[4*w+k])
		}
	}
	return b.String() + ":" + port
}
