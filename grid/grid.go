// Package grid holds a SIMALTO grid as data: services, their levels and
// point costs, lot budgets and packages, with the arithmetic on them.
// It is pure: apart from the sheet and JSON readers it does no I/O.
package grid

import "fmt"

// Grid is a whole SIMALTO grid: services in display order.
type Grid struct {
	Services []Service `json:"services"`
}

// Service is one row of the grid.
type Service struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	Group       string `json:"group,omitempty"`
	Description string `json:"description,omitempty"`
	// Levels are ordered 1..n; Levels[i].Number == i+1.
	Levels []Level `json:"levels"`
	// Translations holds the service's texts in other languages, keyed by
	// language code ("cy"). Missing fields fall back to the default language.
	Translations map[string]ServiceText `json:"translations,omitempty"`
}

// ServiceText is a service's translatable text.
type ServiceText struct {
	Name        string `json:"name,omitempty"`
	Group       string `json:"group,omitempty"`
	Description string `json:"description,omitempty"`
}

// Level is one level of a service.
type Level struct {
	Number      int    `json:"level"`
	Label       string `json:"label"`
	Description string `json:"description,omitempty"`
	// Points is the cumulative cost of the service at this level.
	Points int  `json:"points"`
	AsNow  bool `json:"as_now,omitempty"`
	// Translations holds the level's texts in other languages.
	Translations map[string]LevelText `json:"translations,omitempty"`
}

// LevelText is a level's translatable text.
type LevelText struct {
	Label       string `json:"label,omitempty"`
	Description string `json:"description,omitempty"`
}

// Package is one chosen level number (1-based) per service, in grid order.
type Package []int

// ServiceIndex returns the index of the service with the given key, or -1.
func (g *Grid) ServiceIndex(key string) int {
	for i := range g.Services {
		if g.Services[i].Key == key {
			return i
		}
	}
	return -1
}

// AsNowLevel returns the number of the service's as-now level (0 if none).
func (s *Service) AsNowLevel() int {
	for _, l := range s.Levels {
		if l.AsNow {
			return l.Number
		}
	}
	return 0
}

// Level returns the level with the given number, or nil.
func (s *Service) Level(n int) *Level {
	if n < 1 || n > len(s.Levels) {
		return nil
	}
	return &s.Levels[n-1]
}

// LevelCount returns the total number of levels over all services.
func (g *Grid) LevelCount() int {
	n := 0
	for _, s := range g.Services {
		n += len(s.Levels)
	}
	return n
}

// BasePackage is level 1 of every service.
func (g *Grid) BasePackage() Package {
	p := make(Package, len(g.Services))
	for i := range p {
		p[i] = 1
	}
	return p
}

// AsNowPackage is today's service: the as-now level of every service.
func (g *Grid) AsNowPackage() Package {
	p := make(Package, len(g.Services))
	for i := range g.Services {
		p[i] = g.Services[i].AsNowLevel()
	}
	return p
}

// MaxPackage is the top level of every service.
func (g *Grid) MaxPackage() Package {
	p := make(Package, len(g.Services))
	for i := range g.Services {
		p[i] = len(g.Services[i].Levels)
	}
	return p
}

// AsNowCost is the cost of today's package: today's spending in points.
func (g *Grid) AsNowCost() int { c, _ := g.Cost(g.AsNowPackage()); return c }

// MaxCost is the cost of the most expensive package.
func (g *Grid) MaxCost() int { c, _ := g.Cost(g.MaxPackage()); return c }

// CheckPackage reports whether p names one existing level of every service.
func (g *Grid) CheckPackage(p Package) error {
	if len(p) != len(g.Services) {
		return fmt.Errorf("package has %d levels, grid has %d services", len(p), len(g.Services))
	}
	for i, n := range p {
		s := &g.Services[i]
		if n < 1 || n > len(s.Levels) {
			return fmt.Errorf("%s: level %d does not exist (1 to %d)", s.Key, n, len(s.Levels))
		}
	}
	return nil
}

// Cost returns the total points of package p, or an error if p does not fit the grid.
func (g *Grid) Cost(p Package) (int, error) {
	if err := g.CheckPackage(p); err != nil {
		return 0, err
	}
	total := 0
	for i, n := range p {
		total += g.Services[i].Levels[n-1].Points
	}
	return total, nil
}
