# ─── Glue Data Catalog databases ───
# One database per layer: {domain_abbr}_{layer}_{env} (e.g. f01_refined_dev).

module "glue_databases" {
  source   = "../modules/glue_catalog_database"
  for_each = toset(["raw", "refined", "curated"])

  name         = format(local.glue_database_format, each.key)
  description  = "${local.domain.domain_name} ${each.key} layer (${var.environment})"
  location_uri = "s3://${module.s3_data[each.key].bucket_id}/"
}

# ─── Glue security configuration ───
# Every Glue job runs with it: S3 writes (SSE-KMS), CloudWatch logs and job bookmarks are
# encrypted with the domain CMK.

resource "aws_glue_security_configuration" "this" {
  name = format(local.name_format, "glue")

  encryption_configuration {
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = aws_kms_key.this.arn
    }

    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = aws_kms_key.this.arn
    }

    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = aws_kms_key.this.arn
    }
  }
}

# ─── Glue network connections ───
# One NETWORK connection per private subnet: Glue jobs listing them run inside the VPC and
# reach AWS only through the VPC endpoints.

resource "aws_glue_connection" "network" {
  for_each = aws_subnet.private

  name            = format(local.name_format, "glue-network-${each.key}")
  description     = "Glue workers in private subnet ${each.key}"
  connection_type = "NETWORK"

  physical_connection_requirements {
    availability_zone      = each.value.availability_zone
    subnet_id              = each.value.id
    security_group_id_list = [aws_security_group.glue_job.id]
  }
}
