package care

import "time"

// NeedArea is one of the eight need areas of an assessment (Circular 01/2015, Art. 5).
type NeedArea string

// The eight need areas.
const (
	NeedLivelihood    NeedArea = "livelihood"    // livelihood support
	NeedHealth        NeedArea = "health"        // health and medical care
	NeedEducation     NeedArea = "education"     // education, vocational training and employment
	NeedFamily        NeedArea = "family"        // family and social relationships
	NeedLifeSkills    NeedArea = "life_skills"   // life skills
	NeedCommunity     NeedArea = "community"     // community participation and integration
	NeedPsychological NeedArea = "psychological" // psychology and emotions
	NeedOther         NeedArea = "other"         // other needs
)

// NeedAreas lists the eight areas in the Circular's order; menus number them this way.
var NeedAreas = []NeedArea{NeedLivelihood, NeedHealth, NeedEducation, NeedFamily, NeedLifeSkills, NeedCommunity, NeedPsychological, NeedOther}

// Valid reports whether a is one of the eight areas.
func (a NeedArea) Valid() bool {
	for _, x := range NeedAreas {
		if x == a {
			return true
		}
	}
	return false
}

// AssessmentID identifies a needs assessment.
type AssessmentID int64

// Need is one assessed need: an area, how pressing it is (0 none to 3 high) and a note.
type Need struct {
	Area     NeedArea
	Priority int
	Note     string
}

// Assessment is step 1's record: the person's needs over the eight areas.
type Assessment struct {
	ID         AssessmentID
	CaseID     CaseID
	Needs      []Need
	AssessedBy ManagerID
	AssessedAt time.Time
	Summary    string
}

// Validate checks the needs are real areas with sensible priorities, each at most once.
func (a *Assessment) Validate() error {
	if len(a.Needs) == 0 {
		return FieldError("needs", "an assessment needs at least one need area")
	}
	seen := map[NeedArea]bool{}
	for _, n := range a.Needs {
		if !n.Area.Valid() {
			return FieldError("needs", "unknown need area %q", n.Area)
		}
		if seen[n.Area] {
			return FieldError("needs", "need area %q appears twice", n.Area)
		}
		seen[n.Area] = true
		if n.Priority < 0 || n.Priority > 3 {
			return FieldError("needs", "priority of %q must be 0 to 3", n.Area)
		}
	}
	return nil
}
