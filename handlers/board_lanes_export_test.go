package handlers

// LaneCap is how many cards a column of the whole board shows;
// LanePageSize how many a page of one state's lane shows.
const (
	LaneCap      = laneCap
	LanePageSize = lanePageSize
)
