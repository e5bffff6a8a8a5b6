/* SPDX-License-Identifier: Apache-2.0 */
/* A bounded fork bomb: forks up to 64 sleepers (each gone within a minute
 * anyway), prints "forks N errno E" and the sleepers' pids, and exits
 * leaving them behind for whoever cleans up. */
#include "sleepers.h"

int main(void)
{
	return fork_sleepers();
}
