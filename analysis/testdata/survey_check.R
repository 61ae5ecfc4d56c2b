# survey_check.R: reference weights and standard errors from R's survey
# package for analysis/rcheck_test.go.
#
#   Rscript survey_check.R RESPONSES.csv TARGETS.csv OUTDIR
#
# Reads a wide responses CSV (DESIGN.md contract) and a targets CSV, rakes
# on every target variable (survey::rake, epsilon 1e-13 of the total weight,
# weights scaled to mean 1 through population totals share × n) and writes:
#   OUTDIR/weights.csv  response_id,weight
#   OUTDIR/shares.csv   stage,service,level,share,se
# for every stage, service and level of the services named in SERVICES
# below: lots as svymean of the indicator on the raked design, current as
# svymean on subset() of those who answered the service, unacceptable as
# svymean of "level marked" among all respondents.
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
