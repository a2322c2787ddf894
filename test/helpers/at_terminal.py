"""Runs a command in a pseudo-terminal and answers its prompts: pty.py 'PROMPT=>ANSWER'... -- CMD ARGS.
Prints everything the command wrote; exits with its exit code. The terminal is PTY_COLUMNS wide (100).
PTY_STOP_UNTIL=PATH: the terminal's output is stopped (Ctrl-S) from the start until PATH exists
(20 s at most), then resumed (Ctrl-Q); stderr says whether PATH came while it was stopped."""
import fcntl, os, pty, select, signal, struct, sys, termios, time

sep = sys.argv.index('--')
pairs = [a.split('=>', 1) for a in sys.argv[1:sep]]
cmd = sys.argv[sep + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 24, int(os.environ.get('PTY_COLUMNS', '100')), 0, 0))
stop_until = os.environ.get('PTY_STOP_UNTIL')
if stop_until:
    os.write(fd, b'\x13')
    end = time.time() + 20
    while time.time() < end and not os.path.exists(stop_until):
        time.sleep(0.05)
    sys.stderr.write('came while stopped\n' if os.path.exists(stop_until) else 'did not come while stopped\n')
    os.write(fd, b'\x11')
seen = b''
deadline = time.time() + 30
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.1)
    if fd in r:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        sys.stdout.buffer.write(chunk)
        if pairs and pairs[0][0].encode() in seen:
            os.write(fd, (pairs[0][1] + '\r').encode())
            seen = b''
            pairs.pop(0)
done, status = os.waitpid(pid, os.WNOHANG)
if done == 0:  # still running at the deadline: no orphan left behind
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
