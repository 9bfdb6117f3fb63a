"""The GraphQL documents the CLI sends (the contract is schema.graphql)."""

CREATE_JOB = """
mutation Create($input: CreateJobInput!) {
  createJob(input: $input) { job { id status } errors { field code message } }
}"""

JOB = """
query Job($id: ID!) {
  job(id: $id) {
    id productName style ctaText aspectRatio status progress videoUrl errorMessage costUsd
    productDescription keyBenefits music musicTrack createdAt updatedAt
    productUrl productPrice productImageUrls
    stages { name status progress provider startedAt completedAt errorMessage }
    preflight { passed placements checks(failedOnly: true) { name placement message } }
  }
}"""

JOBS = """
query Jobs($first: Int!, $status: JobStatus, $style: AdStyle) {
  jobs(first: $first, status: $status, style: $style) {
    edges { node { id productName style status progress createdAt videoUrl errorMessage } }
    pageInfo { hasNextPage endCursor }
  }
}"""

STYLES = "query Styles { styles { style name description durationSeconds } }"

CANCEL_JOB = """
mutation Cancel($id: ID!) { cancelJob(id: $id) { job { id status } errors { code message } } }"""

RETRY_JOB = """
mutation Retry($id: ID!) { retryJob(id: $id) { job { id status } errors { code message } } }"""
