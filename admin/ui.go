package admin

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// uiFiles is the live view: a page, its script and its style sheet, served
// as they are (no build step), so the binary alone is enough in a classroom.
//
//go:embed ui/index.html ui/app.js ui/style.css
var uiFiles embed.FS

// uiPolicy keeps the page to its own origin: no inline script, no CDN, and
// connections only back to this admin server.
const uiPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// routeUI registers the live view: GET / is the page, GET /ui/{file} its assets.
func (s *Server) routeUI(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", serveUIFile("index.html"))
	mux.HandleFunc("GET /ui/{file}", func(w http.ResponseWriter, r *http.Request) {
		serveUIFile(r.PathValue("file"))(w, r)
	})
}

// isUIPath reports whether r asks for the live view's static files. They
// hold no connection data, so they are served without the token: a page
// opened without one can then tell the viewer how to add it, while every
// request that returns data still needs the token.
func isUIPath(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	return r.URL.Path == "/" || strings.HasPrefix(r.URL.Path, "/ui/")
}

// serveUIFile answers with one embedded file, or the API's JSON 404.
func serveUIFile(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := fs.ReadFile(uiFiles, "ui/"+name)
		if err != nil || strings.Contains(name, "/") {
			writeError(w, http.StatusNotFound, "", "admin: no live-view file "+r.URL.Path)
			return
		}
		// Fixed types, not mime.TypeByExtension: that reads the host's
		// mime.types, and a browser refuses a script served as text/plain.
		ctype, ok := map[string]string{
			".html": "text/html; charset=utf-8",
			".js":   "text/javascript; charset=utf-8",
			".css":  "text/css; charset=utf-8",
		}[path.Ext(name)]
		if !ok {
			ctype = "application/octet-stream"
		}
		h := w.Header()
		h.Set("Content-Type", ctype)
		h.Set("Content-Security-Policy", uiPolicy)
		// The page may carry ?token= in its address; no other site should see it.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		// Always revalidate: after an upgrade the page and its script must match.
		h.Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(b)
		}
	}
}
