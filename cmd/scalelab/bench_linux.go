//go:build linux

package main

// blockingDefault: on Linux the bench's direct connections use blocking
// socket reads (bench.BlockingNet) unless --blocking-io=false.
const blockingDefault = true
