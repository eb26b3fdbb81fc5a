module "b" {
  source = "../b"
}

resource "aws_sagemaker_notebook_instance" "a" {
  name = "a"
}
