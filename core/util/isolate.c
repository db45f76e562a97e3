#include "core/util/isolate.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static size_t read_all(int fd, void *p, size_t n)
{
	char *c = p;
	size_t done = 0;
	while (done < n) {
		ssize_t r = read(fd, c + done, n - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	return done;
}

int isolate_run(void (*work)(void *arg, void *report), void *arg, void *report, size_t size,
		unsigned seconds, const char *what, struct isolate_outcome *how,
		struct kdx_error *err)
{
	int fds[2];
	if (pipe(fds) < 0)
		return kdx_fail(err, "%s: cannot create a pipe: %s", what, strerror(errno));
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		return kdx_fail(err, "%s: cannot fork: %s", what, strerror(e));
	}
	if (pid == 0) {
		close(fds[0]);
		/* the limit must kill even where kdx's host caught or ignored
		 * SIGALRM (a fuzzer's timeout handler) */
		signal(SIGALRM, SIG_DFL);
		alarm(seconds);
		memset(report, 0, size);
		work(arg, report);
		_exit(write_all(fds[1], report, size) < 0);
	}
	close(fds[1]);
	size_t got = read_all(fds[0], report, size);
	close(fds[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	how->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	how->end = how->signal == SIGALRM ? ISOLATE_TIMED_OUT : how->signal ? ISOLATE_KILLED :
		   got != size || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ?
		   ISOLATE_NO_REPORT : ISOLATE_DONE;
	return 0;
}
