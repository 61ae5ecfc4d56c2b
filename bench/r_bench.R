# r_bench.R: time R's survey package on the same raking and level shares as
# `budgetgrid analyse`, and compare the numbers with the Go tables.
#
#   Rscript bench/r_bench.R RESPONSES.csv TARGETS.csv [GO_TABLES_DIR]
#
# RESPONSES must have complete raking variables (bench/run.sh filters them).
# Times: reading the CSV, rake() (epsilon 1e-13 of the total weight), and
# svymean of the indicator of every level of every service at every lot
# (one svymean call per lot over all services' level factors). With
# GO_TABLES_DIR, prints the largest differences from its weights.csv and
# shares.csv.
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
t0 <- proc.time()[["elapsed"]]
resp <- read.csv(args[1], colClasses = "character", check.names = FALSE, na.strings = character(0))
targets <- read.csv(args[2], colClasses = c("character", "character", "numeric"))
t_read <- proc.time()[["elapsed"]]
n <- nrow(resp)
vars <- unique(targets$variable)
for (v in vars) resp[[v]] <- factor(resp[[v]], levels = targets$category[targets$variable == v])
if (anyNA(resp[vars])) stop("needs complete raking variables: filter complete rows as bench/run.sh does")
lotcols <- grep("^lot[0-9]+\\.", names(resp), value = TRUE)
for (col in lotcols) resp[[col]] <- factor(resp[[col]])
des <- svydesign(ids = ~1, data = resp, weights = rep(1, n))
pop <- lapply(vars, function(v) {
  t <- targets[targets$variable == v, ]
  d <- data.frame(t$category, t$target / sum(t$target) * n)
  names(d) <- c(v, "Freq")
  d
})
raked <- rake(des, lapply(vars, function(v) as.formula(paste("~", v))), pop,
              control = list(maxit = 200, epsilon = 1e-13))
t_rake <- proc.time()[["elapsed"]]
est <- list()
for (lot in unique(sub("\\..*$", "", lotcols))) {
  cols <- grep(paste0("^", lot, "\\."), lotcols, value = TRUE)
  m <- svymean(as.formula(paste("~", paste0("`", cols, "`", collapse = "+"))), raked)
  nm <- names(coef(m))
  est[[lot]] <- data.frame(stage = lot, key = nm, share = unname(coef(m)), se = unname(SE(m)))
}
est <- do.call(rbind, est)
t_mean <- proc.time()[["elapsed"]]
cat(sprintf("R survey %s: %d responses: read %.2fs, rake %.2fs, svymean %d shares %.2fs, rake+shares %.2fs, total %.2fs\n",
            packageVersion("survey"), n, t_read - t0, t_rake - t_read, nrow(est), t_mean - t_rake,
            t_mean - t_read, t_mean - t0))
if (length(args) >= 3) {
  gw <- read.csv(file.path(args[3], "weights.csv"), colClasses = c("character", "numeric"))
  w <- weights(raked)[match(gw$response_id, resp$response_id)]
  cat(sprintf("largest weight difference from Go: %.3g\n", max(abs(w - gw$weight))))
  gs <- read.csv(file.path(args[3], "shares.csv"), colClasses = "character")
  gs <- gs[gs$segment_variable == "" & grepl("^lot", gs$stage), ]
  # R names a factor level indicator `lot1.roads`1 (backquoted column, level).
  est$service <- sub("^`?lot[0-9]+\\.([a-z_]+)`?[0-9]+$", "\\1", est$key)
  est$level <- sub("^.*`?([0-9]+)$", "\\1", est$key)
  k <- match(paste(est$stage, est$service, est$level), paste(gs$stage, gs$service, gs$level))
  cat(sprintf("compared %d shares: largest share difference %.3g, largest relative SE difference %.3g\n",
              sum(!is.na(k)), max(abs(est$share - as.numeric(gs$share[k])), na.rm = TRUE),
              max(abs(est$se - as.numeric(gs$se[k])) / est$se, na.rm = TRUE)))
}
