package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"

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

	var addr, token, username, password string
	var submit bool
	push := &cobra.Command{
		Use:   "push DIR",
		Short: "Pack a mini-program folder and upload it as a new version (and, with --submit, send it to review)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, p, err := miniapp.Pack(args[0])
			if err != nil {
				return err
			}
			if token == "" {
				if username == "" {
					return fmt.Errorf("give --token, or --username and --password of the app's developer")
				}
				var out struct{ Token string }
				if err := callJSON(addr, "POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": password}, &out); err != nil {
					return err
				}
				token = out.Token
			}
			var body bytes.Buffer
			w := multipart.NewWriter(&body)
			part, _ := w.CreateFormFile("package", filepath.Base(args[0])+".zip")
			part.Write(data)
			w.Close()
			req, _ := http.NewRequest("POST", strings.TrimRight(addr, "/")+"/api/v1/miniapps/"+p.Manifest.AppID+"/versions", &body)
			req.Header.Set("Content-Type", w.FormDataContentType())
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			answer, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusCreated {
				return fmt.Errorf("upload refused (%d): %s", resp.StatusCode, answer)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "uploaded %s version %d (%s)\n", p.Manifest.AppID, p.Manifest.Version.Code, p.Manifest.Version.Name)
			if submit {
				path := fmt.Sprintf("/api/v1/miniapps/%s/versions/%d/submit", p.Manifest.AppID, p.Manifest.Version.Code)
				if err := callJSON(addr, "POST", path, token, nil, nil); err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), "submitted for review")
			}
			return nil
		},
	}
	push.Flags().StringVar(&addr, "addr", "http://127.0.0.1:8080", "the Plaza node")
	push.Flags().StringVar(&token, "token", "", "the developer's session token (or use --username/--password)")
	push.Flags().StringVar(&username, "username", "", "the developer's username")
	push.Flags().StringVar(&password, "password", "", "the developer's password")
	push.Flags().BoolVar(&submit, "submit", false, "send the new version to review")
	cmd.AddCommand(push)
	return cmd
}

// callJSON sends a JSON request to a node and decodes its answer.
func callJSON(addr, method, path, token string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, strings.TrimRight(addr, "/")+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}
