//go:build !linux

package main

const blockingDefault = false
