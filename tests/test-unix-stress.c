#include "unix-test-util.h"
int main (int argc, char **argv) { unix_test_init (&argc, &argv); return g_test_run (); }
