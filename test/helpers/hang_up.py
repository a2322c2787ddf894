"""Runs a command in a pseudo-terminal and closes the terminal once MARK has been printed (a dropped SSH session).
hang_up.py MARK -- CMD ARGS. Prints what the command wrote and then `status N`, its exit status (negative: a signal)."""
import os, pty, select, sys, time

sep = sys.argv.index('--')
mark = sys.argv[1].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[sep + 1], sys.argv[sep + 1:])
seen = b''
deadline = time.time() + 30
while mark not in seen and time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.1)
    if fd in r:
        try:
            seen += os.read(fd, 65536)
        except OSError:
            break
sys.stdout.buffer.write(seen)
os.close(fd)  # the kernel hangs up the terminal: SIGHUP to its session
_, status = os.waitpid(pid, 0)
print(f'\nstatus {os.waitstatus_to_exitcode(status)}')
