package main

// The "plaza audit" command; main.go registers it with auditCmd().

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/plaza-dev/plaza/internal/trust"
)

func auditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Check a Plaza installation's tamper-evident audit log"}
	var addr, token, checkpoint, save string
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check that the live audit log extends a saved checkpoint (exit 1 if history was rewritten); --save keeps the live one",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if checkpoint == "" && save == "" {
				return errors.New("give --checkpoint FILE to check, --save FILE to keep the live checkpoint, or both")
			}
			var saved []byte
			if checkpoint != "" {
				var err error
				if saved, err = os.ReadFile(checkpoint); err != nil {
					return err
				}
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), time.Minute)
			defer cancel()
			live, summary, err := verifyAudit(ctx, http.DefaultClient, addr, token, saved)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), summary)
			if save != "" {
				if err := os.WriteFile(save, live, 0o644); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "saved the live checkpoint to %s\n", save)
			}
			return nil
		},
	}
	verify.Flags().StringVar(&addr, "addr", "http://127.0.0.1:8080", "the node's URL")
	verify.Flags().StringVar(&token, "token", "", "an administrator's session token")
	verify.Flags().StringVar(&checkpoint, "checkpoint", "", "a checkpoint saved earlier (with --save)")
	verify.Flags().StringVar(&save, "save", "", "write the live checkpoint to this file")
	cmd.AddCommand(verify)
	return cmd
}

// verifyAudit fetches the log's key and live checkpoint, checks its
// signature, and, given a saved checkpoint, checks that the live tree
// extends it (a consistency proof). It returns the live checkpoint and a
// one-line summary; the error names the problem.
func verifyAudit(ctx context.Context, c *http.Client, addr, token string, saved []byte) (live []byte, summary string, err error) {
	base := strings.TrimRight(addr, "/") + "/api/v1/admin/audit"
	key, err := fetch(ctx, c, base+"/key", token)
	if err != nil {
		return nil, "", err
	}
	vkey := strings.TrimSpace(string(key))
	if live, err = fetch(ctx, c, base+"/checkpoint", token); err != nil {
		return nil, "", err
	}
	cur, err := trust.OpenCheckpoint(live, vkey)
	if err != nil {
		return nil, "", fmt.Errorf("the live checkpoint does not verify with the log's key: %w", err)
	}
	if saved == nil {
		return live, fmt.Sprintf("live log: %d records, root %s", cur.N, cur.Hash), nil
	}
	old, err := trust.OpenCheckpoint(saved, vkey)
	if err != nil {
		return nil, "", fmt.Errorf("the saved checkpoint does not verify with the log's key (the key changed, or the file was edited): %w", err)
	}
	switch {
	case old.N > cur.N:
		return nil, "", fmt.Errorf("history was rewritten: the saved checkpoint has %d records, the live log only %d", old.N, cur.N)
	case old.N == cur.N && old.Hash != cur.Hash:
		return nil, "", fmt.Errorf("history was rewritten: the live log of %d records has another root than the saved one", cur.N)
	case old.N == cur.N || old.N == 0:
		return live, fmt.Sprintf("ok: the live log (%d records) extends the saved checkpoint (%d records)", cur.N, old.N), nil
	}
	var out struct {
		Proof []string `json:"proof"`
	}
	if err := callJSON(addr, "GET", fmt.Sprintf("/api/v1/admin/audit/consistency?old=%d&new=%d", old.N, cur.N), token, nil, &out); err != nil {
		return nil, "", err
	}
	proof, err := trust.DecodeHashes(out.Proof)
	if err != nil {
		return nil, "", err
	}
	if err := tlog.CheckTree(proof, cur.N, cur.Hash, old.N, old.Hash); err != nil {
		return nil, "", fmt.Errorf("history was rewritten: the live log of %d records does not extend the saved checkpoint of %d (%v)", cur.N, old.N, err)
	}
	return live, fmt.Sprintf("ok: the live log (%d records) extends the saved checkpoint (%d records)", cur.N, old.N), nil
}

// fetch GETs a text resource with an administrator's token.
func fetch(ctx context.Context, c *http.Client, url, token string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return b, nil
}
