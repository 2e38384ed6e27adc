package miniapp

import (
	"crypto/subtle"

	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// Developers serve an app straight from a folder (plaza serve --dev-app
// DIR): it opens like a released app, every request re-reads the folder,
// and its pages reload themselves when a file changes.

type devApp struct {
	dir, secret, name string
}

// ServeFolder registers the app in dir for development and returns its
// appid (the manifest's app_id) and a fresh secret for jscode2session.
func (s *Service) ServeFolder(dir string) (appid, secret string, err error) {
	_, p, err := Pack(dir)
	if err != nil {
		return "", "", err
	}
	secret = ids.Token(24)
	s.devMu.Lock()
	if s.devApps == nil {
		s.devApps = map[string]devApp{}
	}
	s.devApps[p.Manifest.AppID] = devApp{dir: dir, secret: secret, name: p.Manifest.Name}
	s.devMu.Unlock()
	return p.Manifest.AppID, secret, nil
}

func (s *Service) dev(appid string) (devApp, bool) {
	s.devMu.RLock()
	defer s.devMu.RUnlock()
	d, ok := s.devApps[appid]
	return d, ok
}

func (d devApp) secretOK(secret string) bool {
	return subtle.ConstantTimeCompare([]byte(d.secret), []byte(secret)) == 1
}
