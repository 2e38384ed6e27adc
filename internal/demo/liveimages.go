package demo

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
)

// The demo live room's pictures, drawn here (no image files to ship): a
// cover and one picture per product of Gadget Store's shelf.

type canvas struct {
	img  *image.RGBA
	w, h int
}

func newCanvas(w, h int, top, bottom color.RGBA) *canvas {
	c := &canvas{img: image.NewRGBA(image.Rect(0, 0, w, h)), w: w, h: h}
	for y := range h {
		t := float64(y) / float64(h-1)
		col := color.RGBA{lerp(top.R, bottom.R, t), lerp(top.G, bottom.G, t), lerp(top.B, bottom.B, t), 255}
		for x := range w {
			c.img.SetRGBA(x, y, col)
		}
	}
	return c
}

func lerp(a, b uint8, t float64) uint8 { return uint8(float64(a) + (float64(b)-float64(a))*t) }

// roundRect fills a rectangle with corners of radius r (anti-aliased a
// little at the edges).
func (c *canvas) roundRect(x0, y0, x1, y1, r float64, col color.RGBA) {
	for y := int(y0); y < int(math.Ceil(y1)); y++ {
		for x := int(x0); x < int(math.Ceil(x1)); x++ {
			px, py := float64(x)+0.5, float64(y)+0.5
			dx := math.Max(math.Max(x0+r-px, px-(x1-r)), 0)
			dy := math.Max(math.Max(y0+r-py, py-(y1-r)), 0)
			d := math.Hypot(dx, dy) - r
			if a := math.Min(math.Max(0.5-d, 0), 1); a > 0 {
				c.blend(x, y, col, a)
			}
		}
	}
}

// circle fills a disc.
func (c *canvas) circle(cx, cy, r float64, col color.RGBA) {
	c.roundRect(cx-r, cy-r, cx+r, cy+r, r, col)
}

func (c *canvas) blend(x, y int, col color.RGBA, a float64) {
	if x < 0 || y < 0 || x >= c.w || y >= c.h {
		return
	}
	a *= float64(col.A) / 255
	o := c.img.RGBAAt(x, y)
	mix := func(p, q uint8) uint8 { return uint8(float64(p)*(1-a) + float64(q)*a) }
	c.img.SetRGBA(x, y, color.RGBA{mix(o.R, col.R), mix(o.G, col.G), mix(o.B, col.B), 255})
}

func (c *canvas) png() []byte {
	var b bytes.Buffer
	png.Encode(&b, c.img)
	return b.Bytes()
}

var (
	ink    = color.RGBA{28, 32, 44, 255}
	glass  = color.RGBA{66, 133, 244, 255}
	shine  = color.RGBA{255, 255, 255, 70}
	silver = color.RGBA{214, 219, 226, 255}
	white  = color.RGBA{250, 250, 252, 255}
)

// phonePicture is the Nova 12 phone: a slab with its screen lit.
func phonePicture(size int) []byte {
	c := newCanvas(size, size, color.RGBA{238, 242, 255, 255}, color.RGBA{206, 216, 245, 255})
	s := float64(size)
	c.roundRect(s*0.32, s*0.1, s*0.68, s*0.9, s*0.06, ink)
	c.roundRect(s*0.34, s*0.13, s*0.66, s*0.87, s*0.045, glass)
	c.roundRect(s*0.34, s*0.13, s*0.66, s*0.4, s*0.045, shine)
	c.circle(s*0.5, s*0.16, s*0.012, ink)
	return c.png()
}

// budsPicture is the Pulse earbuds in their case.
func budsPicture(size int) []byte {
	c := newCanvas(size, size, color.RGBA{240, 250, 246, 255}, color.RGBA{200, 232, 220, 255})
	s := float64(size)
	c.roundRect(s*0.22, s*0.45, s*0.78, s*0.82, s*0.16, white)
	c.roundRect(s*0.22, s*0.45, s*0.78, s*0.52, s*0.03, silver)
	c.circle(s*0.38, s*0.32, s*0.11, white)
	c.circle(s*0.62, s*0.32, s*0.11, white)
	c.circle(s*0.38, s*0.32, s*0.05, silver)
	c.circle(s*0.62, s*0.32, s*0.05, silver)
	return c.png()
}

// watchPicture is the Orbit watch on its band.
func watchPicture(size int) []byte {
	c := newCanvas(size, size, color.RGBA{255, 244, 236, 255}, color.RGBA{246, 214, 196, 255})
	s := float64(size)
	c.roundRect(s*0.4, s*0.05, s*0.6, s*0.95, s*0.05, color.RGBA{222, 120, 80, 255})
	c.circle(s*0.5, s*0.5, s*0.22, ink)
	c.circle(s*0.5, s*0.5, s*0.18, color.RGBA{38, 50, 70, 255})
	c.roundRect(s*0.495, s*0.36, s*0.505, s*0.5, s*0.005, white)
	c.roundRect(s*0.5, s*0.495, s*0.6, s*0.505, s*0.005, white)
	return c.png()
}

// chargerPicture is the 65 W charger.
func chargerPicture(size int) []byte {
	c := newCanvas(size, size, color.RGBA{245, 245, 248, 255}, color.RGBA{220, 222, 230, 255})
	s := float64(size)
	c.roundRect(s*0.4, s*0.14, s*0.45, s*0.3, s*0.01, silver)
	c.roundRect(s*0.55, s*0.14, s*0.6, s*0.3, s*0.01, silver)
	c.roundRect(s*0.28, s*0.28, s*0.72, s*0.8, s*0.08, white)
	c.roundRect(s*0.44, s*0.68, s*0.56, s*0.72, s*0.02, ink)
	return c.png()
}

// coverPicture is the room's cover: the phone on a stage of light.
func coverPicture(w, h int) []byte {
	c := newCanvas(w, h, color.RGBA{24, 28, 60, 255}, color.RGBA{120, 40, 90, 255})
	fw, fh := float64(w), float64(h)
	c.circle(fw*0.5, fh*0.46, fw*0.34, color.RGBA{255, 255, 255, 28})
	c.circle(fw*0.5, fh*0.46, fw*0.24, color.RGBA{255, 255, 255, 24})
	c.roundRect(fw*0.38, fh*0.24, fw*0.62, fh*0.7, fw*0.04, ink)
	c.roundRect(fw*0.395, fh*0.255, fw*0.605, fh*0.685, fw*0.03, glass)
	c.roundRect(fw*0.395, fh*0.255, fw*0.605, fh*0.4, fw*0.03, shine)
	c.roundRect(fw*0.2, fh*0.78, fw*0.8, fh*0.8, fh*0.01, color.RGBA{255, 255, 255, 90})
	return c.png()
}
