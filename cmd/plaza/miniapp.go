package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/plaza-dev/plaza/internal/miniapp"
)

func miniappCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "miniapp", Short: "Tools for mini-program developers"}
	var out string
	pack := &cobra.Command{
		Use:   "pack DIR",
		Short: "Check a mini-program folder as an upload would be checked, and write its zip",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, p, err := miniapp.Pack(args[0])
			if err != nil {
				return err
			}
			if out == "" {
				out = filepath.Clean(args[0]) + ".zip"
			}
			if err := os.WriteFile(out, data, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s %s (version %d), %d files, %d bytes, sha256 %s\n",
				out, p.Manifest.AppID, p.Manifest.Name, p.Manifest.Version.Code, len(p.Files), len(data), p.SHA256[:16])
			return nil
		},
	}
	pack.Flags().StringVarP(&out, "out", "o", "", "where to write the zip (default DIR.zip)")
	cmd.AddCommand(pack)
	return cmd
}
