# survey_check.R: reference weights and standard errors from R's survey
# package for analysis/rcheck_test.go.
#
#   Rscript survey_check.R RESPONSES.csv TARGETS.csv OUTDIR GRID.csv PAINLOT
#
# Reads a wide responses CSV (DESIGN.md contract) and a targets CSV, rakes
# on every target variable (survey::rake, epsilon 1e-13 of the total weight,
# weights scaled to mean 1 through population totals share × n) and writes:
#   OUTDIR/weights.csv  response_id,weight
#   OUTDIR/shares.csv   stage,service,level,share,se
# for every stage, service and level of the services named in SERVICES
# below: lots as svymean of the indicator on the raked design, current as
# svymean on subset() of those who answered the service, unacceptable as
# svymean of "level marked" among all respondents; and
#   OUTDIR/priorities.csv  stat,service,estimate,se
# for the same services: pain (below as-now at PAINLOT, e.g. lot3),
# unacceptable (a level below as-now marked) and never_bought (level 1 at
# every lot) as svymean of the indicator, purchase_lot (first lot above
# level 1) as svymean on subset() of those who ever bought, and the mean
# level and mean points at lot2 (as-now levels and points from GRID.csv, a
# grid sheet).
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
resp <- read.csv(args[1], colClasses = "character", check.names = FALSE, na.strings = character(0))
targets <- read.csv(args[2], colClasses = c("character", "character", "numeric"))
outdir <- args[3]
n <- nrow(resp)
vars <- unique(targets$variable)
for (v in vars) resp[[v]] <- factor(resp[[v]], levels = targets$category[targets$variable == v])
if (anyNA(resp[vars])) stop("the R check needs complete raking variables")
des <- svydesign(ids = ~1, data = resp, weights = rep(1, n))
pop <- lapply(vars, function(v) {
  t <- targets[targets$variable == v, ]
  d <- data.frame(t$category, t$target / sum(t$target) * n)
  names(d) <- c(v, "Freq")
  d
})
raked <- rake(des, lapply(vars, function(v) as.formula(paste("~", v))), pop,
              control = list(maxit = 200, epsilon = 1e-13))
write.csv(data.frame(response_id = resp$response_id, weight = weights(raked)),
          file.path(outdir, "weights.csv"), row.names = FALSE)

SERVICES <- c("roads", "libraries", "reablement", "youth", "send")
stages <- grep("^lot[0-9]+\\.roads$", names(resp), value = TRUE)
stages <- c("current", "unacceptable", sub("\\.roads$", "", stages))
rows <- list()
for (stage in stages) for (s in SERVICES) {
  col <- paste0(stage, ".", s)
  x <- resp[[col]]
  for (l in 1:5) {
    if (stage == "unacceptable") {
      y <- as.numeric(sapply(strsplit(x, ";"), function(v) as.character(l) %in% v))
      d <- update(raked, y = y)
    } else {
      if (!any(x == as.character(l))) next
      y <- as.numeric(x == as.character(l))
      d <- update(raked, y = y)
      if (stage == "current") d <- subset(d, x != "")
    }
    m <- svymean(~y, d)
    rows[[length(rows) + 1]] <- data.frame(stage = stage, service = s, level = l,
                                           share = coef(m)[[1]], se = SE(m)[[1]])
  }
}
write.csv(do.call(rbind, rows), file.path(outdir, "shares.csv"), row.names = FALSE)

grid <- read.csv(args[4], colClasses = "character")
painlot <- args[5]
lots <- sub("\\.roads$", "", grep("^lot[0-9]+\\.roads$", names(resp), value = TRUE))
prow <- list()
add <- function(stat, s, m) {
  prow[[length(prow) + 1]] <<- data.frame(stat = stat, service = s, estimate = coef(m)[[1]], se = SE(m)[[1]])
}
for (s in SERVICES) {
  g <- grid[grid$service == s, ]
  g <- g[order(as.integer(g$level)), ]
  asnow <- as.integer(g$level[g$as_now != ""])
  points <- as.numeric(g$points)
  lv <- sapply(lots, function(l) as.integer(resp[[paste0(l, ".", s)]]))
  y <- as.numeric(lv[, painlot] < asnow)
  add("pain", s, svymean(~y, update(raked, y = y)))
  marked <- strsplit(resp[[paste0("unacceptable.", s)]], ";")
  y <- as.numeric(sapply(marked, function(v) any(as.integer(v) < asnow)))
  add("unacceptable", s, svymean(~y, update(raked, y = y)))
  first <- apply(lv, 1, function(r) { k <- which(r > 1); if (length(k)) k[1] else 0 })
  y <- as.numeric(first == 0)
  add("never_bought", s, svymean(~y, update(raked, y = y)))
  d <- update(raked, y = first, bought = first > 0)
  add("purchase_lot", s, svymean(~y, subset(d, bought)))
  y <- lv[, "lot2"]
  add("mean_level.lot2", s, svymean(~y, update(raked, y = y)))
  y <- points[lv[, "lot2"]]
  add("mean_points.lot2", s, svymean(~y, update(raked, y = y)))
}
write.csv(do.call(rbind, prow), file.path(outdir, "priorities.csv"), row.names = FALSE)

# Family-wise segment tests: svychisq(~area + lotK.S, statistic = "F") on
# the raked design, for every lot and the services above:
#   OUTDIR/tests.csv  stage,service,f,ndf,ddf,p
trow <- list()
for (l in lots) for (s in SERVICES) {
  col <- paste0(l, ".", s)
  d <- update(raked, lvl = resp[[col]])
  x <- svychisq(~area + lvl, d, statistic = "F")
  trow[[length(trow) + 1]] <- data.frame(stage = l, service = s, f = unname(x$statistic),
                                         ndf = unname(x$parameter[1]), ddf = unname(x$parameter[2]), p = x$p.value)
}
write.csv(do.call(rbind, trow), file.path(outdir, "tests.csv"), row.names = FALSE)

# Segment intervals: svyciprop(method = "beta") of each level at lot2 of
# the services above, within each area (subset() of the raked design):
#   OUTDIR/segment_ci.csv  area,service,level,share,se,ci_low,ci_high
crow <- list()
for (a in levels(resp$area)) for (s in SERVICES) {
  x <- resp[[paste0("lot2.", s)]]
  for (l in 1:5) {
    if (!any(x[resp$area == a] == as.character(l))) next
    d <- subset(update(raked, y = as.numeric(x == as.character(l))), area == a)
    ci <- svyciprop(~y, d, method = "beta")
    crow[[length(crow) + 1]] <- data.frame(area = a, service = s, level = l, share = coef(ci)[[1]],
                                           se = SE(ci)[[1]], ci_low = confint(ci)[1], ci_high = confint(ci)[2])
  }
}
write.csv(do.call(rbind, crow), file.path(outdir, "segment_ci.csv"), row.names = FALSE)

# Trimming with re-raking: trimWeights(strict = TRUE) to [TRIMLOW, TRIMHIGH]
# × the mean weight (1), then rake again from the trimmed weights, until the
# re-raked weights are within the bounds (relative 1e-9):
#   OUTDIR/trim_weights.csv  response_id,weight
#   OUTDIR/trim_shares.csv   stage,service,level,share,se,se_exact (lot1)
# se is svymean's: svyrecvar approximates the projection on the raking
# margins by backfitting, once per rake call (37 here), which moves it by
# up to 0.4%; se_exact is the exact projection (lm residuals of the
# influence on the margins' indicators), which is what the Go code does.
TRIMLOW <- 0.3
TRIMHIGH <- 3
d <- raked
for (round in 1:1000) {
  d <- trimWeights(d, lower = TRIMLOW, upper = TRIMHIGH, strict = TRUE)
  d <- rake(d, lapply(vars, function(v) as.formula(paste("~", v))), pop, control = list(maxit = 200, epsilon = 1e-13))
  w <- weights(d)
  if (min(w) >= TRIMLOW * (1 - 1e-9) && max(w) <= TRIMHIGH * (1 + 1e-9)) break
}
write.csv(data.frame(response_id = resp$response_id, weight = weights(d)), file.path(outdir, "trim_weights.csv"), row.names = FALSE)
srow <- list()
wt <- weights(d)
X <- model.matrix(as.formula(paste("~", paste(vars, collapse = "+"))), resp)
for (s in SERVICES) {
  x <- resp[[paste0("lot1.", s)]]
  for (l in 1:5) {
    if (!any(x == as.character(l))) next
    y <- as.numeric(x == as.character(l))
    m <- svymean(~y, update(d, y = y))
    r <- (y - coef(m)[[1]]) / sum(wt)
    e <- wt * resid(lm(r ~ X - 1))
    srow[[length(srow) + 1]] <- data.frame(stage = "lot1", service = s, level = l, share = coef(m)[[1]], se = SE(m)[[1]],
                                           se_exact = sqrt(n / (n - 1) * sum((e - mean(e))^2)))
  }
}
write.csv(do.call(rbind, srow), file.path(outdir, "trim_shares.csv"), row.names = FALSE)
cat("trim rounds", round, "\n")
