#include "interrupt.h"

#include <signal.h>

static volatile sig_atomic_t requested;

void interrupt_request(int sig)
{
	requested = sig ? sig : SIGTERM;
}

bool interrupt_pending(void)
{
	return requested != 0;
}

int interrupt_signal(void)
{
	return requested;
}

void interrupt_reset(void)
{
	requested = 0;
}
