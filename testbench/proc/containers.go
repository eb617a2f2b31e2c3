package proc

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Containers runs a cluster as containers on the machine's Docker Engine
// (the Docker Compose variant of the cluster): one image built FROM
// scratch around the static binary, a compose project per cluster with
// two private networks, and a container per node. The raft network is
// internal (node to node, fixed addresses; a fault disconnects a node from
// it); the lan network only carries each node's HTTP port, published on
// loopback, and lets no container reach another, so cutting a post off
// the raft network leaves it answering its officers.
type Containers struct {
	// Image is the node image (BuildImage).
	Image string
	// Project names the compose project (default: random).
	Project string

	subnet string // the raft network's /24 prefix, e.g. "10.213.7"
	file   string // the compose file
}

// containerRaftPort is every node's raft port inside its container.
const containerRaftPort = "8089"

// BuildImage builds the node image FROM scratch around the static
// binary (see Build) and answers its tag, which names the binary's hash:
// the same binary is built once.
func BuildImage(ctx context.Context, binary string) (string, error) {
	b, err := os.ReadFile(binary)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	tag := "crossguard-bench:" + hex.EncodeToString(sum[:6])
	if exec.CommandContext(ctx, "docker", "image", "inspect", tag).Run() == nil {
		return tag, nil
	}
	dir, err := os.MkdirTemp("", "crossguard-image-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "crossguard"), b, 0o755); err != nil {
		return "", err
	}
	dockerfile := "FROM scratch\nCOPY crossguard /crossguard\nENTRYPOINT [\"/crossguard\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		return "", err
	}
	if out, err := exec.CommandContext(ctx, "docker", "build", "-q", "-t", tag, dir).CombinedOutput(); err != nil {
		return "", fmt.Errorf("docker build: %v\n%s", err, out)
	}
	return tag, nil
}

// docker runs a docker command and answers its output.
func docker(ctx context.Context, args ...string) (string, error) {
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("docker %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errOut.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// compose runs docker-compose on the project.
func (ct *Containers) compose(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, "docker-compose", append([]string{"-p", ct.Project, "-f", ct.file}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("docker-compose %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// Container is the name of a node's container.
func (ct *Containers) Container(n *Node) string { return ct.Project + "-" + n.ID }

// RaftNetwork is the name of the cluster's raft network.
func (ct *Containers) RaftNetwork() string { return ct.Project + "_raft" }

// RaftIP is a node's address on the raft network.
func (ct *Containers) RaftIP(n *Node) string {
	host, _, _ := strings.Cut(n.Advertise, ":")
	return host
}

// layout gives each node its container addresses: the raft address on
// the raft network, the HTTP port published on loopback.
func (ct *Containers) layout(nodes []*Node) {
	if ct.Project == "" {
		b := make([]byte, 4)
		rand.Read(b)
		ct.Project = "cg" + hex.EncodeToString(b)
	}
	if ct.subnet == "" {
		b := make([]byte, 1)
		rand.Read(b)
		ct.subnet = fmt.Sprintf("10.213.%d", b[0])
	}
	for i, n := range nodes {
		n.Raft = "0.0.0.0:" + containerRaftPort
		n.Advertise = fmt.Sprintf("%s.%d:%s", ct.subnet, 10+i, containerRaftPort)
	}
}

// args turns a node's serve arguments into the container's: its data
// and the history key where they are mounted, every port open inside the
// container (plain HTTP and raft on private networks: --insecure).
func (ct *Containers) args(n *Node) []string {
	out := make([]string, 0, len(n.args)+1)
	for i := 0; i < len(n.args); i++ {
		a := n.args[i]
		switch a {
		case "--data":
			out = append(out, a, "/data")
			i++
		case "--history-key":
			out = append(out, a, "/key/history.key")
			i++
		case "--http":
			out = append(out, a, "0.0.0.0:8080")
			i++
		default:
			out = append(out, a)
		}
	}
	return append(out, "--insecure")
}

// create writes the compose file and creates the networks and
// containers (not started).
func (ct *Containers) create(ctx context.Context, dir string, nodes []*Node) error {
	type netRef struct {
		IPv4 string `json:"ipv4_address,omitempty"`
	}
	type service struct {
		Image         string            `json:"image"`
		ContainerName string            `json:"container_name"`
		Command       []string          `json:"command"`
		Volumes       []string          `json:"volumes"`
		Ports         []string          `json:"ports"`
		Networks      map[string]netRef `json:"networks"`
	}
	services := map[string]service{}
	for _, n := range nodes {
		if err := os.MkdirAll(n.Dir, 0o700); err != nil {
			return err
		}
		_, port, _ := strings.Cut(n.HTTP, ":")
		services[n.ID] = service{Image: ct.Image, ContainerName: ct.Container(n), Command: ct.args(n),
			Volumes:  []string{n.Dir + ":/data", dir + ":/key:ro"},
			Ports:    []string{"127.0.0.1:" + port + ":8080"},
			Networks: map[string]netRef{"raft": {IPv4: ct.RaftIP(n)}, "lan": {}}}
	}
	// JSON is YAML: docker-compose reads it as the compose file.
	file := map[string]any{
		"version":  "2.4",
		"services": services,
		"networks": map[string]any{
			"raft": map[string]any{"internal": true, "ipam": map[string]any{"config": []map[string]string{{"subnet": ct.subnet + ".0/24"}}}},
			"lan":  map[string]any{"driver_opts": map[string]string{"com.docker.network.bridge.enable_icc": "false"}},
		},
	}
	b, err := json.MarshalIndent(file, "", "  ")
	if err != nil {
		return err
	}
	ct.file = filepath.Join(dir, "docker-compose.yml")
	if err := os.WriteFile(ct.file, b, 0o644); err != nil {
		return err
	}
	if err := ct.compose(ctx, "up", "--no-start"); err != nil {
		return err
	}
	// docker-compose (1.29) creates a container on its first network
	// only, and connects the others when it starts it; the nodes are
	// started by `docker start`, so their raft network is connected here.
	for _, n := range nodes {
		nets, err := docker(ctx, "inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", ct.Container(n))
		if err != nil {
			return err
		}
		if !strings.Contains(" "+nets+" ", " "+ct.RaftNetwork()+" ") {
			if err := ct.Connect(ctx, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// Connect attaches a node's container to the raft network at its
// address.
func (ct *Containers) Connect(ctx context.Context, n *Node) error {
	_, err := docker(ctx, "network", "connect", "--ip", ct.RaftIP(n), ct.RaftNetwork(), ct.Container(n))
	return err
}

// Disconnect detaches a node's container from the raft network: the node
// is cut off from the others (its HTTP port, on the lan network, stays).
func (ct *Containers) Disconnect(ctx context.Context, n *Node) error {
	_, err := docker(ctx, "network", "disconnect", "-f", ct.RaftNetwork(), ct.Container(n))
	return err
}

// down removes the project's containers and networks.
func (ct *Containers) down() error {
	if ct.file == "" {
		return nil
	}
	return ct.compose(context.Background(), "down", "--timeout", "1")
}

// command is what runs a node: `docker start -a` lives as long as the
// container and carries its output to the node's log.
func (ct *Containers) command(n *Node) *exec.Cmd {
	return exec.Command("docker", "start", "-a", ct.Container(n))
}

// signal stops a node's container: SIGKILL at once, or SIGTERM with
// timeout seconds before docker kills it.
func (ct *Containers) signal(n *Node, kill bool, timeoutSeconds int) error {
	if kill {
		_, err := docker(context.Background(), "kill", "-s", "KILL", ct.Container(n))
		return err
	}
	_, err := docker(context.Background(), "stop", "-t", fmt.Sprint(timeoutSeconds), ct.Container(n))
	return err
}

// PID is the host process ID of a node's container (0 when it is not
// running): the namespaces a fault enters.
func (ct *Containers) PID(n *Node) int {
	out, err := docker(context.Background(), "inspect", "-f", "{{.State.Pid}}", ct.Container(n))
	if err != nil {
		return 0
	}
	var pid int
	fmt.Sscan(out, &pid)
	return pid
}
