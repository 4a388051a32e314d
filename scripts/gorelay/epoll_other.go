//go:build !linux

package main

import "errors"

// eventLoop is Linux's: epoll(7) is Linux's.
func eventLoop(listen, network, backend string) error {
	return errors.New("gorelay -epoll needs Linux (epoll_wait)")
}
