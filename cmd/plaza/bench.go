package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/spf13/cobra"

	"github.com/plaza-dev/plaza/internal/bench"
)

func benchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Drive a running node and print what was measured as one JSON object (last line)",
	}
	var (
		addr     string
		duration time.Duration
	)
	cmd.PersistentFlags().StringVar(&addr, "addr", "http://127.0.0.1:8080", "the node to drive (loopback only)")
	cmd.PersistentFlags().DurationVar(&duration, "duration", 30*time.Second, "how long to send")

	var chat bench.ChatConfig
	chatCmd := &cobra.Command{
		Use:   "chat",
		Short: "Hold many sockets, send messages at a rate, measure delivery",
		RunE: func(cmd *cobra.Command, _ []string) error {
			chat.Addr, chat.Duration, chat.Log = addr, duration, os.Stderr
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			res, err := bench.Chat(ctx, chat)
			if err != nil {
				return err
			}
			return printJSON(res)
		},
	}
	chatCmd.Flags().IntVar(&chat.Conns, "conns", 1000, "WebSocket connections to hold")
	chatCmd.Flags().Float64Var(&chat.Rate, "rate", 1000, "messages a second, all senders together")
	chatCmd.Flags().IntVar(&chat.Group, "group", 0, "send in one group of this many members instead of direct pairs")
	chatCmd.Flags().IntVar(&chat.Users, "users", 0, "users to create (default: from --conns and --rate)")
	cmd.AddCommand(chatCmd)
	return cmd
}

func printJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
}
